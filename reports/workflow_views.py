"""POST-only views of the review workflow: each calls one transition of ``Report``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Report, WorkflowError
from .views import EDIT_PAGES, get_report_for
from .workflow import EventKind, warning_key


def _refused(request: HttpRequest, report: Report, error: WorkflowError) -> HttpResponse:
    if error.forbidden:
        raise PermissionDenied(error.message)
    messages.error(request, error.message)
    for finding in error.findings:
        messages.error(request, f"{finding.rule}：{finding.message}")
    return redirect(report)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    explanations = {
        warning_key(f): request.POST.get("explain-" + warning_key(f), "")
        for f in report.submit_check().warnings
    }
    try:
        report.submit(request.user, explanations)
    except WorkflowError as error:
        if error.forbidden:
            raise PermissionDenied(error.message) from None
        # Shown again on the report page with the explanations already typed kept.
        report.refresh_from_db()
        findings = report.findings()
        context = {
            "report": report,
            "findings": findings,
            "pages": EDIT_PAGES,
            "can_edit": report.can_edit(request.user),
            "submit_refusal": error,
        }
        context.update(workflow_context(report, request.user, findings, explanations))
        return render(request, "reports/report_detail.html", context, status=400)
    messages.success(request, "已提交审核。")
    return redirect(report)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        report.approve(request.user, request.POST.get("comment", ""))
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, "已审核通过。")
    return redirect(report)


@login_required
@require_POST
def return_to_clerk(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        report.return_to_clerk(request.user, request.POST.get("comment", ""))
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, "已退回填报人修改。")
    return redirect(report)


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        report.publish(request.user)
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, f"已发布，发布日期{report.published_on:%Y-%m-%d}。")
    return redirect(report)


@login_required
@require_POST
def start_revision(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        revision = report.start_revision(request.user)
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, "已创建修订稿；已发布的版本保持不变，修订稿发布后替代它。")
    return redirect(revision)


@login_required
@require_POST
def send_for_correction(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        revision = report.send_for_correction(request.user, request.POST.get("comment", ""))
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, f"已退回{report.agency.name}更正。")
    return redirect(revision)


def workflow_context(
    report: Report, user, findings: list, explanations: dict[str, str] | None = None
) -> dict:
    """What the report page shows about the workflow: the actions this user may take,
    the warnings to explain, the last submission's explanations, the event log, the
    per-field history and the other revisions."""
    from .history import field_history

    explanations = explanations or {}
    warnings = [
        (warning_key(f), f, explanations.get(warning_key(f), ""))
        for f in findings
        if f.severity == "warning"
    ]
    # One query for the log, the last submission and the return comment.
    events = list(report.events.select_related("actor"))
    submissions = [e for e in events if e.kind == EventKind.SUBMIT]
    return {
        "can_submit": report.can_submit(user),
        "can_review": report.can_review(user),
        "can_publish": report.can_publish(user),
        "can_start_revision": report.can_start_revision(user),
        "can_send_for_correction": report.can_send_for_correction(user),
        "submit_errors": [f for f in findings if f.severity == "error"],
        "submit_warnings": warnings,
        "last_submit": submissions[-1] if submissions else None,
        "return_comment": report.return_comment(events),
        "events": events,
        "field_history": field_history(report),
        # Only what the list of revisions shows: a report row carries ~170 cell columns.
        "revisions": Report.objects.filter(agency_id=report.agency_id, year=report.year)
        .exclude(pk=report.pk)
        .only("pk", "revision", "status", "published_on")
        .order_by("revision"),
    }
