"""The section editor: each page of a report's form, saved by 保存本部分 or by the
autosave of the page's script, both through ``reports.io.editing.save_section``."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseFormSet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST

from reports import rules
from reports.io import editing
from reports.models import Annotation, Report, access, history, provenance
from reports.models import review as reviewing
from reports.printing import render as rendering
from reports.spec import numbers, schema
from reports.views.http import AuthedRequest
from reports.views.reports import ReportRead


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_section(request: AuthedRequest, pk: int, section: str) -> HttpResponse:
    if section not in schema.EDIT_PAGE_KEYS:
        raise Http404("no such section")
    conflict = None
    if request.method == "POST":
        # The save reads the row itself, locked, and refuses when the user may not see
        # it (404) or not edit it (PermissionDenied, 403).
        try:
            result = editing.save_section(pk, section, request.POST, request.user, partial=False)
        except Report.DoesNotExist:
            raise Http404("no such report") from None
        report, form, conflict = result.report, result.form, result.conflict
        can_edit = True
        if result.saved:
            messages.success(request, "已保存。")
            return redirect(reverse("reports:section", args=[report.pk, section]))
        if conflict is not None:
            # A second save of the same input, seen the changes, goes through.
            version = report.version
            status = 409
        else:
            base_version = history.parse_version(request.POST.get("version"))
            version = base_version if base_version is not None else report.version
            status = 400
    else:
        report = page_report(request.user, pk, section)
        can_edit = report.can_edit(request.user)
        version = report.version
        form = editing.section_form(report, section)
        status = 200

    if not can_edit:
        _disable(form)
    reading = report.read_for_rules()
    doc, all_findings, progress = report.assessment(reading)
    findings = [f for f in all_findings if f.edit_section == section]
    context = {
        "report": report,
        "section": section,
        "section_title": dict(schema.EDIT_PAGES)[section],
        "progress": progress,
        "page_links": page_links(report.pk, progress),
        "form": form,
        "form_has_errors": _has_errors(form),
        "findings": findings,
        "can_edit": can_edit,
        # What the reviewer asked for stays in sight on every page being corrected.
        "return_comment": report.return_comment(),
        "version": version,
        "conflict": conflict,
        # What the page says was taken over from last year's report, if there is one.
        "has_last_year": reading[1].previous is not None,
        **annotation_context(report, request.user, section),
    }
    if section in schema.NOTE_KEYS:
        # A report saved by this request has no flags: ask.
        log = provenance.latest_log(report) if getattr(report, "imported", True) else None
        sources = log.cells_by_field() if log is not None else {}
        # The document's tables are the report's figures, totals derived.
        context["table"] = rendering.build_table(section, doc, form, findings, sources)
        context["note_field"] = form[schema.NOTE_KEYS[section]]
        context["import_log"] = log
        context["to_check"] = [
            s
            for s in sources.values()
            if s.state in provenance.TO_CHECK and s.cell.table == section
        ]
        context["table_config_script"] = table_config_script()
        context["balance_columns"] = schema.APPLICATION_COLUMNS
    return render(request, "reports/section.html", context, status=status)


def _page_flags(section: str) -> dict[str, Any]:
    """Whether there are 批注 or an import to show, read with the row: a draft typed in
    has neither, and its page makes two queries fewer."""
    flags: dict[str, Any] = {"page_annotated": reviewing.annotated(section)}
    if section in schema.NOTE_KEYS:  # a table page shows the imported cells to check
        flags["imported"] = provenance.imported()
    return flags


# The row of an editing page's report with its flags.
_PAGE_READS = {key: ReportRead(partial(_page_flags, key)) for key in schema.EDIT_PAGE_KEYS}


def page_report(user: Any, pk: int, section: str) -> Report:
    """``get_report_for(user, pk, **_page_flags(section))``, compiled once (``ReportRead``)."""
    return _PAGE_READS[section].get(user, pk)


def page_links(pk: int, progress: rules.Progress) -> list[tuple[rules.PageProgress, str]]:
    """Each editing page's progress with its URL, from one ``reverse``: every page of
    the editor links all seven, and a ``{% url %}`` each cost a twentieth of the
    signed-in floor (bench/editor.py)."""
    placeholder = "PAGE"  # a slug no page key is: the keys are lower case
    head, _, tail = reverse("reports:section", args=[pk, placeholder]).rpartition(placeholder)
    return [(p, f"{head}{p.key}{tail}") for p in progress.pages]


def annotation_context(report: Report, user: Any, section: str) -> dict[str, Any]:
    """The 批注 of one editing page, shown in place, and what this user may do."""
    annotations = []
    if getattr(report, "page_annotated", True):  # a report saved by this request: ask
        annotations = list(Annotation.objects.filter(report=report, page=section).with_thread())
    return {
        "annotations": annotations,
        "open_count": sum(a.is_open for a in annotations),
        "annotated_fields": {a.field for a in annotations if a.field and a.is_open},
        "annotation_targets": reviewing.targets(section),
        "can_annotate": access.can_annotate(user, report),
        "can_answer": access.can_answer_annotation(user, report),
        "can_resolve": access.can_resolve_annotation(user, report),
    }


def _has_errors(form: Any) -> bool:
    """Whether the page says 未保存: a formset's errors are also its own and their count.
    Asked here, not in the template, which asked a form for the formset's attributes by
    name, and each refusal (a ``KeyError``) listed every field of the form."""
    if isinstance(form, BaseFormSet):
        return bool(form.errors or form.non_form_errors() or form.total_error_count())
    return bool(form.errors)


def _disable(form: Any) -> None:
    forms_ = getattr(form, "forms", None)
    for f in [form] if forms_ is None else forms_:
        for field in f.fields.values():
            field.disabled = True


def _key(c: schema.Cell) -> str:
    return f"{c.table}:{c.row}:{c.col or ''}"


@cache
def table_config_script() -> SafeString:
    """``{{ table_config|json_script:"table-config" }}``, written once per process."""
    return json_script(table_config(), "table-config")


@cache
def table_config() -> dict[str, Any]:
    """What the live checks of the editing page need, from the template definition and
    the number rules: every cell's kind, every sum, the R1 balance and how a typed
    number is read. The script holds no rule of its own. Built once per process."""
    return {
        "kinds": {_key(c): c.kind for c in schema.STORED_CELLS},
        "sums": [
            {"total": _key(s.total), "parts": [_key(p) for p in s.parts]} for s in schema.SUMS
        ],
        "balance": {
            col.key: {
                "in": [_key(schema.cell("applications", r, col.key)) for r in schema.BALANCE_IN],
                "out": [_key(schema.cell("applications", r, col.key)) for r in schema.BALANCE_OUT],
                "label": col.label,
            }
            for col in schema.APPLICATION_COLUMNS
        },
        "numbers": numbers.client_rules(),
    }


@login_required
@require_POST
def autosave(request: AuthedRequest, pk: int, section: str) -> JsonResponse:
    """The page's input as typed so far, saved as far as it is valid: the fields that
    fail validation are named with their messages and stay as typed on the page."""
    if section not in schema.EDIT_PAGE_KEYS:
        raise Http404("no such section")
    try:
        result = editing.save_section(pk, section, request.POST, request.user, partial=True)
    except Report.DoesNotExist:
        raise Http404("no such report") from None
    except PermissionDenied as exc:
        return JsonResponse({"status": "locked", "message": str(exc)}, status=403)
    if result.conflict is not None:
        who = "、".join(result.conflict.users) or "他人"
        return JsonResponse(
            {
                "status": "conflict",
                "message": f"您打开本页后，{who}修改了本部分，自动保存已暂停。"
                "请点击“保存本部分”查看对方的修改，您填写的内容仍保留在页面上。",
                "changes": [[c.label, c.old, c.new] for c in result.conflict.changes],
            },
            status=409,
        )
    return JsonResponse(
        {
            "status": "saved" if result.saved else "partial",
            "version": result.report.version,
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
            "saved_fields": result.saved_fields,
            "errors": result.errors,
            "section_ids": result.section_ids,
            "progress": _progress_json(result.report),
        }
    )


def _progress_json(report: Any) -> dict[str, Any]:
    """What the page's navigation shows after an autosave: each page's state, 完成度
    (as the save's recount found them; assessed again when nothing was saved)."""
    _findings, progress = getattr(report, "assessed", None) or report.assess()
    return {
        "percent": progress.percent,
        "done": progress.done,
        "pages": {p.key: {"state": p.state, "label": p.label} for p in progress.pages},
    }
