"""Views of the review workflow: each POST calls one transition of ``Report``. 审核通过
and 发布 are asked first (GET): a page says what will happen, lateness included, and
the transition is made only from its confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from reports.models import EventKind, Report, WorkflowError
from reports.models.workflow import warning_key
from reports.spec.calendar import chinese_date
from reports.views.http import AuthedRequest
from reports.views.reports import detail_context, get_report_for


def _refused(request: AuthedRequest, report: Report, error: WorkflowError) -> HttpResponse:
    if error.forbidden:
        raise PermissionDenied(error.message)
    messages.error(request, error.message)
    for finding in error.findings:
        messages.error(request, f"{finding.rule}：{finding.message}")
    return redirect(report)


@login_required
@require_POST
def submit(request: AuthedRequest, pk: int) -> HttpResponse:
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
        context = detail_context(report, request.user, explanations)
        context["submit_refusal"] = error
        return render(request, "reports/report_detail.html", context, status=400)
    messages.success(request, "已提交审核。")
    return redirect(report)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    if request.method != "POST":  # GET or HEAD: the confirmation page
        if not report.can_review(request.user):
            raise PermissionDenied("只有本机关的审核人可以审核待审核的报告。")
        return render(request, "reports/confirm_approve.html", _confirm_context(report))
    try:
        report.approve(request.user, request.POST.get("comment", ""))
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, "已审核通过。")
    return redirect(report)


def _confirm_context(report: Report) -> dict:
    """What a confirmation says: the open 批注, the explained warnings, and for a
    publication its date and how late it is."""
    today = timezone.localdate()
    annotations = list(report.annotations.with_thread())
    last_submit = report.last_event(EventKind.SUBMIT)
    return {
        "report": report,
        "can_edit": False,
        "open_annotations": [a for a in annotations if a.is_open],
        "annotations": annotations,
        "last_submit": last_submit,
        "today": today,
        "days_late": report.days_late_if_published(today),
        "is_correction": report.first_published_on is not None,
    }


@login_required
@require_POST
def return_to_clerk(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        report.return_to_clerk(request.user, request.POST.get("comment", ""))
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, "已退回填报人修改。")
    return redirect(report)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    if request.method != "POST":  # GET or HEAD: the confirmation page
        if not report.can_publish(request.user):
            raise PermissionDenied("只有本机关的审核人可以发布已审核的报告。")
        return render(request, "reports/confirm_publish.html", _confirm_context(report))
    try:
        report.publish(request.user)
    except WorkflowError as error:
        return _refused(request, report, error)
    late = report.days_late
    messages.success(
        request,
        f"已发布，发布日期{chinese_date(report.published_on)}"
        + (f"，逾期{late}天发布。" if late else "。"),
    )
    return redirect(report)


@login_required
@require_POST
def start_revision(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        revision = report.start_revision(request.user)
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, "已创建修订稿；已发布的版本保持不变，修订稿发布后替代它。")
    return redirect(revision)


@login_required
@require_POST
def send_for_correction(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        revision = report.send_for_correction(request.user, request.POST.get("comment", ""))
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, f"已退回{report.agency.name}更正。")
    return redirect(revision)
