"""Triage views: marking a finding of a report, and the findings of a region.

Thin: the marks and their lapsing live in ``reports.models.triage``, the region's
queries in ``reports.oversight.findings``. A report outside what the user may see is a
404; a user who may see it but not judge it gets 403.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reports.models import Agency, JobKind, TriageError, Verdict, access, triage
from reports.oversight import dashboard, xlsx
from reports.oversight import findings as region
from reports.spec.calendar import reporting_year
from reports.views import exports, pickers
from reports.views.http import AuthedRequest, attachment, oversight_scope_of
from reports.views.reports import detail_context, get_report_for


@login_required
@require_POST
def mark_finding(request: AuthedRequest, pk: int, fingerprint: str) -> HttpResponse:
    report = get_report_for(request.user, pk)
    if not access.can_triage(request.user, report):
        raise PermissionDenied("只有本机关的审核人或上级主管部门可以标记检查发现。")
    verdict = request.POST.get("verdict", "")
    reason = request.POST.get("reason", "")
    try:
        mark = triage.mark(request.user, report, fingerprint, verdict, reason)
    except TriageError as error:
        # Shown again with what was typed, so a reason is never lost to a refusal.
        context = detail_context(report, request.user)
        context["triage_error"] = {
            "fingerprint": fingerprint,
            "message": str(error),
            "verdict": verdict,
            "reason": reason,
        }
        return render(request, "reports/report_detail.html", context, status=400)
    messages.success(request, f"已将{mark.rule}标记为“{mark.get_verdict_display()}”。")
    next_url = request.POST.get("next", "")
    if next_url == "findings":
        return redirect("oversight:findings")
    return redirect(report)


def _filters(request: AuthedRequest) -> region.Filters:
    params = request.POST if request.method == "POST" else request.GET
    return region.Filters.from_query(params, reporting_year(timezone.localdate()))


def _region(request: AuthedRequest, filters: region.Filters) -> tuple[Agency, Agency]:
    """The oversight user's scope, and the region listed: the scope or the agency
    beneath it chosen (404 for any other)."""
    scope = oversight_scope_of(request.user)
    if filters.within:
        return scope, get_object_or_404(dashboard.agencies_beneath(scope), pk=filters.within)
    return scope, scope


@login_required
@require_safe
def region_findings(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    scope, listed = _region(request, filters)
    picker = pickers.pick(
        request,
        dashboard.regions(scope, filters.year),
        param="within",
        label="下级区域",
        chosen=listed if listed != scope else None,
    )
    if picker.redirect_query:
        return redirect(f"{request.path}?{picker.redirect_query}")
    summary = region.summary(listed, filters)
    context = {
        "scope": scope,
        "filters": filters,
        "page": region.page(listed, filters, summary.listed(filters.triage)),
        # A province's findings are written by the task worker, not in the request.
        "export_in_background": summary.listed(filters.triage) > xlsx.ROWS_IN_REQUEST,
        "export_fields": {
            "year": filters.year,
            **region.export_params(filters),
            "within": filters.within or "",
        },
        "summary": summary,
        "years": list(range(max(date.today().year, filters.year), 2020, -1)),
        "rules": sorted(region.RULE_TITLES.items(), key=lambda r: int(r[0][1:])),
        "severities": list(region.SEVERITY_LABELS.items()),
        "triage_labels": region.TRIAGE_LABELS,
        "regions": picker,
        "verdicts": Verdict.choices,
    }
    return render(request, "oversight/findings.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def region_findings_xlsx(request: AuthedRequest) -> HttpResponseBase:
    """The filtered findings as XLSX: written in the request up to
    ``xlsx.ROWS_IN_REQUEST`` rows; a POST (the page's button above that) makes it an
    export job, whose page offers the file when the worker is done."""
    filters = _filters(request)
    _, listed = _region(request, filters)
    if request.method == "POST":
        params = region.export_params(filters)
        return exports.in_background(request, JobKind.FINDINGS_XLSX, filters.year, listed, params)
    total = region.summary(listed, filters).listed(filters.triage)
    if total > xlsx.ROWS_IN_REQUEST:
        page = f"{reverse('oversight:findings')}?{filters.without_page().query()}"
        return exports.too_long(request, f"{total}条检查发现", page)
    rows = region.export_rows(listed, filters)
    body = xlsx.streamed_workbook(region.export_sheet(filters.year), region.EXPORT_HEADER, rows)
    return attachment(body, f"{region.export_title(listed, filters)}.xlsx")
