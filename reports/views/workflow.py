"""POST-only views of the review workflow: each calls one transition of ``Report``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reports.models import Report, WorkflowError
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
@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        report.approve(request.user, request.POST.get("comment", ""))
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, "已审核通过。")
    return redirect(report)


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
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    try:
        report.publish(request.user)
    except WorkflowError as error:
        return _refused(request, report, error)
    messages.success(request, f"已发布，发布日期{chinese_date(report.published_on)}。")
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
