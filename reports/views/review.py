"""Review by cell: the POST-only steps of a 批注 (each calls one method of
``Annotation``), and what a reviewer reads before deciding: the changes since the last
submission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from reports.models import Annotation, Report, WorkflowError, history
from reports.spec import schema
from reports.views.http import AuthedRequest
from reports.views.reports import get_report_for


def _back(report: Report, page: str, anchor: str = "annotations") -> HttpResponse:
    """Back to the editing page the 批注 belongs to."""
    if page not in schema.EDIT_PAGE_KEYS:
        return redirect(report)
    return redirect(reverse("reports:section", args=[report.pk, page]) + f"#{anchor}")


def _refused(request: AuthedRequest, error: WorkflowError) -> None:
    if error.forbidden:
        raise PermissionDenied(error.message)
    messages.error(request, error.message)


def _annotation(report: Report, annotation_pk: int) -> Annotation:
    return get_object_or_404(
        Annotation.objects.select_related("report"), pk=annotation_pk, report=report
    )


@login_required
@require_POST
def annotate(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    page = request.POST.get("page", "")
    if page not in schema.EDIT_PAGE_KEYS:
        raise Http404("no such section")
    try:
        annotation = Annotation.attach(
            report, request.user, page, request.POST.get("field", ""), request.POST.get("body", "")
        )
    except WorkflowError as error:
        _refused(request, error)
        return _back(report, page, "annotation-form")
    messages.success(request, f"已添加批注：{annotation.target_label}。")
    return _back(report, page, annotation.anchor)


@login_required
@require_POST
def answer(request: AuthedRequest, pk: int, annotation_pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    annotation = _annotation(report, annotation_pk)
    resolve = request.POST.get("resolve") == "1"
    try:
        annotation.answer(request.user, request.POST.get("body", ""), resolve=resolve)
    except WorkflowError as error:
        _refused(request, error)
    else:
        messages.success(request, "已答复并标记为已处理。" if resolve else "已答复批注。")
    return _back(report, annotation.page, annotation.anchor)


@login_required
@require_POST
def resolve(request: AuthedRequest, pk: int, annotation_pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    annotation = _annotation(report, annotation_pk)
    try:
        annotation.resolve(request.user)
    except WorkflowError as error:
        _refused(request, error)
    else:
        messages.success(request, "已将批注标记为已处理。")
    return _back(report, annotation.page, annotation.anchor)


@login_required
@require_POST
def reopen(request: AuthedRequest, pk: int, annotation_pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    annotation = _annotation(report, annotation_pk)
    try:
        annotation.reopen(request.user, request.POST.get("body", ""))
    except WorkflowError as error:
        _refused(request, error)
    else:
        messages.success(request, "已重新打开批注。")
    return _back(report, annotation.page, annotation.anchor)


@login_required
@require_safe
def changes(request: AuthedRequest, pk: int) -> HttpResponse:
    """What changed since the last submission, cell by cell, with who and when."""
    report = get_report_for(request.user, pk)
    since = history.changes_since_submission(report)
    return render(request, "reports/changes.html", {"report": report, "since": since})
