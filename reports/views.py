"""Views of the reports app: function-based, control flow written out."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import codec, history, schema
from . import pdf as print_layout
from . import render as rendering
from .forms import (
    GeneralSectionFormSet,
    InfoForm,
    NewReportForm,
    table_form_class,
    text_form_class,
)
from .models import Report, start_report
from .workflow import with_return_comment

# The pages a report is edited on, in order; each saves on its own.
INFO_PAGE = ("info", "基本信息")
EDIT_PAGES: tuple[tuple[str, str], ...] = (
    INFO_PAGE,
    *((s.key, s.heading) for s in schema.SECTIONS),
)
EDIT_PAGE_KEYS = {key for key, _ in EDIT_PAGES}


def get_report_for(user, pk: int) -> Report:
    """The report if ``user`` may see it; 404 otherwise, so that outsiders cannot even
    learn that it exists."""
    queryset = Report.objects.visible_to(user).select_related("agency")
    return get_object_or_404(queryset, pk=pk)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each user's inbox; visitors who are not logged in get the public site."""
    from django.utils import timezone

    from .inbox import inbox_for

    if not request.user.is_authenticated:
        return redirect("public:list")
    context = inbox_for(request.user, timezone.localdate())
    return render(request, "reports/home.html", context)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    form = None
    if request.user.is_clerk:
        form = NewReportForm(agency=request.user.agency)
    return render(request, "reports/report_list.html", _list_context(request, form))


LIST_PAGE_SIZE = 50


def _list_context(request: HttpRequest, form) -> dict:
    """One page of the reports the user may see: an oversight office over thousands of
    agencies must not receive every report (and every cell column) at once."""
    reports = with_return_comment(
        Report.objects.visible_to(request.user)
        .select_related("agency")
        .only("pk", "year", "title", "status", "revision", "updated_at", "agency__name")
        .order_by("-year", "agency__name", "-revision", "pk")
    )
    page = Paginator(reports, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return {"reports": page, "page": page, "form": form}


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_clerk:
        raise PermissionDenied("只有填报人可以新建年度报告。")
    form = NewReportForm(request.POST, agency=user.agency)
    if not form.is_valid():
        return render(request, "reports/report_list.html", _list_context(request, form), status=400)
    report = start_report(user.agency, form.cleaned_data["year"], created_by=user)
    messages.success(request, f"已新建{report.title}。")
    if report.prefilled:
        messages.info(request, report.prefilled[0] + "、".join(report.prefilled[1:]) + "。")
    return redirect("reports:section", pk=report.pk, section="info")


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from .workflow_views import workflow_context

    report = get_report_for(request.user, pk)
    findings = report.findings()
    context = {
        "report": report,
        "findings": findings,
        "pages": EDIT_PAGES,
        "can_edit": report.can_edit(request.user),
    }
    context.update(workflow_context(report, request.user, findings))
    return render(request, "reports/report_detail.html", context)


@login_required
@require_GET
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    doc = report.document()
    return render(
        request,
        "reports/report_preview.html",
        {"report": report, "rendered": rendering.render_document(doc)},
    )


@login_required
@require_GET
def report_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    body = json.dumps(codec.to_json(report.document()), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"report-{report.agency_id}-{report.year}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report in the official print layout as PDF. A published report serves the
    PDF stored when it was published; any other is rendered now."""
    report = get_report_for(request.user, pk)
    response = HttpResponse(print_layout.report_pdf(report), content_type="application/pdf")
    filename = print_layout.pdf_filename(report)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def report_print_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The print layout as one self-contained HTML file."""
    report = get_report_for(request.user, pk)
    response = HttpResponse(
        print_layout.render_html(report), content_type="text/html; charset=utf-8"
    )
    filename = f"report-{report.agency_id}-{report.year}.html"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _section_form(report: Report, section: str, data=None):
    if section == "info":
        return InfoForm(data, instance=report)
    if section == "general":
        return GeneralSectionFormSet(data, instance=report, prefix="general")
    if section in schema.NOTE_KEYS:
        return table_form_class(section)(data, instance=report)
    return text_form_class(section)(data, instance=report)


@login_required
@require_http_methods(["GET", "POST"])
def report_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in EDIT_PAGE_KEYS:
        raise Http404("no such section")
    report = get_report_for(request.user, pk)
    can_edit = report.can_edit(request.user)

    conflict = None
    version = report.version
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(report.locked_reason() or "您没有修改本报告的权限。")
        base_version = history.parse_version(request.POST.get("version"))
        with transaction.atomic():
            # Lock the row: two saves of the same report are checked one after the other.
            report = Report.objects.select_for_update().select_related("agency").get(pk=pk)
            can_edit = report.can_edit(request.user)
            if not can_edit:
                raise PermissionDenied(report.locked_reason())
            # Compared before the form is validated: validating copies the input onto
            # the instance.
            conflict = history.conflicts(report, base_version, section)
            form = _section_form(report, section, request.POST)
            if conflict is None and form.is_valid():
                form.save()
                if section == "general":
                    # The formset saves sub-sections only; the report was changed too.
                    report.save(update_fields=["updated_at"])
                messages.success(request, "已保存。")
                url = reverse("reports:section", args=[report.pk, section])
                return redirect(url)
        if conflict is not None:
            # A second save of the same input, seen the changes, goes through.
            version = report.version
            status = 409
        else:
            version = base_version if base_version is not None else report.version
            status = 400
    else:
        form = _section_form(report, section)
        status = 200

    if not can_edit:
        _disable(form)
    findings = [f for f in report.findings() if f.edit_section == section]
    context = {
        "report": report,
        "section": section,
        "section_title": dict(EDIT_PAGES)[section],
        "pages": EDIT_PAGES,
        "form": form,
        "findings": findings,
        "can_edit": can_edit,
        "version": version,
        "conflict": conflict,
    }
    if section in schema.NOTE_KEYS:
        figures = report.figures()
        context["table"] = rendering.build_table(section, figures, form, findings)
        context["table_config"] = _table_config()
        context["balance_columns"] = schema.APPLICATION_COLUMNS
    return render(request, "reports/section.html", context, status=status)


def _disable(form) -> None:
    forms_ = getattr(form, "forms", None)
    for f in [form] if forms_ is None else forms_:
        for field in f.fields.values():
            field.disabled = True


def _table_config() -> dict:
    """What the live totals script needs to know, taken from the template definition."""
    return {
        "applicantColumns": [c.key for c in schema.APPLICANT_COLUMNS],
        "outcomeRows": [r.key for r in schema.OUTCOME_ROWS],
        "balanceIn": list(schema.BALANCE_IN),
        "balanceOut": list(schema.BALANCE_OUT),
        "reviewParts": list(schema.REVIEW_PARTS),
        "columnLabels": {c.key: c.label for c in schema.APPLICATION_COLUMNS},
    }
