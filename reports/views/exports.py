"""Views of background exports: ask for one, watch its progress, download the file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from reports.models import Agency, ExportJob, JobKind, JobStatus, access
from reports.oversight.exports import start_job
from reports.oversight.recovery import recover_if_stale
from reports.spec.calendar import FIRST_YEAR, LAST_YEAR
from reports.views.http import AuthedRequest, attachment


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="导出内容", choices=JobKind.choices)
    year = forms.IntegerField(label="年度", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    agency = forms.ModelChoiceField(
        label="机关（含全部下级机关）", queryset=Agency.objects.none(), empty_label="请选择"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = access.agencies_visible_to(user)
        # The choice lists the agencies that have agencies beneath them (a province has
        # tens of thousands of departments, which would make the page megabytes); any
        # agency the user may see is still accepted.
        parents = agency.queryset.filter(
            Exists(Agency.objects.filter(parent_id=OuterRef("pk")))
        ) | agency.queryset.filter(pk=user.agency_id)
        agency.widget.choices = [("", "请选择")] + [
            (a.pk, a.name) for a in parents.only("pk", "name").order_by("path")
        ]
        if user.agency_id:
            self.fields["agency"].initial = user.agency_id


START_MESSAGE = "已开始导出，完成后可在本页下载。"


def in_background(
    request: AuthedRequest, kind: str, year: int, agency: Agency, params: dict[str, str]
) -> HttpResponse:
    """Start an export job for ``request.user`` and show it: the oversight pages'
    后台导出XLSX, for a list too long to write in a request."""
    job = start_job(kind, year, agency, request.user, params)
    messages.success(request, START_MESSAGE)
    return redirect("reports:export_job", pk=job.pk)


def too_long(request: AuthedRequest, count: str, page: str) -> HttpResponse:
    """A download too long for the request, asked for anyway (a link kept from before
    the list grew): back to ``page``, which offers 后台导出XLSX, saying why."""
    messages.info(request, f"共{count}，请点击“后台导出XLSX”，完成后下载。")
    return redirect(page)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exports(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not access.can_export_region(user):
        raise PermissionDenied("只有主管部门可以汇总导出。")
    form = ExportForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = start_job(data["kind"], data["year"], data["agency"], user)
        messages.success(request, START_MESSAGE)
        return redirect("reports:export_job", pk=job.pk)
    jobs = ExportJob.objects.for_user(user).select_related("agency").defer("content")[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/exports.html", {"form": form, "jobs": jobs}, status=status)


def _job_for(user, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.for_user(user).defer("content"), pk=pk)
    recover_if_stale(job)  # its worker may have died: say so, and run it again
    return job


@login_required
@require_safe
def export_job(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job_for(request.user, pk)
    return render(request, "reports/export_job.html", {"job": job})


@login_required
@require_safe
def export_job_status(request: AuthedRequest, pk: int) -> JsonResponse:
    job = _job_for(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "progress": job.progress,
            "total": job.total,
            "percent": job.percent,
            "error": job.error,
            "download": reverse("reports:export_download", args=[job.pk])
            if job.status == JobStatus.DONE
            else None,
        }
    )


@login_required
@require_safe
def export_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(ExportJob.objects.for_user(request.user), pk=pk, status=JobStatus.DONE)
    return attachment(bytes(job.content or b""), job.filename)
