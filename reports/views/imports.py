"""Imports of published reports: a clerk's own (从已发布年报导入), an oversight office's
batch of its departments' reports, and checking what an import left blank or in doubt.
Every upload goes through ``reports.io.imports.import_bytes``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reports.io.errors import ImportRefused
from reports.io.forms import BatchImportForm, PublishedUploadForm
from reports.io.imports import import_bytes
from reports.models import FileStatus, ImportFile, ImportJob, access, provenance
from reports.oversight import batch
from reports.oversight.recovery import recover_if_stale
from reports.spec import schema
from reports.views.http import AuthedRequest
from reports.views.reports import get_report_for


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_published(request: AuthedRequest) -> HttpResponse:
    """从已发布年报导入: a clerk turns their agency's published report into a draft."""
    user = request.user
    if not access.can_create_report(user):
        raise PermissionDenied("只有填报人可以导入年度报告。")
    form = PublishedUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Only the clerk's own agency: the agency named in the report must be theirs.
        try:
            result = import_bytes(upload.read(), upload.name, user, agency=user.agency)
        except ImportRefused as refused:
            context["refused"] = refused.findings
            return render(request, "reports/import_published.html", context, status=400)
        context["result"] = result
        context["to_check"] = result.log.to_check() if result.log else []
        return render(request, "reports/import_published.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/import_published.html", context, status=status)


@login_required
@require_POST
def confirm_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """A clerk has checked the cells an import left blank or in doubt (all of them, or
    those of one table)."""
    report = get_report_for(request.user, pk)
    if not access.can_check_import(request.user, report):
        raise PermissionDenied(report.locked_reason() or "只有本机关填报人可以核对导入的数据。")
    log = provenance.latest_log(report)
    table = request.POST.get("table") or ""
    fields = None
    if table in schema.TABLES:
        fields = [c.field for c in schema.CELLS if c.table == table]
    if log is not None:
        count = log.confirm(request.user, fields)
        messages.success(request, f"已核对{count}个单元格。")
    if table in schema.NOTE_KEYS:
        return redirect("reports:section", pk=report.pk, section=table)
    return redirect(report)


# --- batch import ---------------------------------------------------------------------


def _uploads(files) -> list[batch.Upload]:
    return [batch.Upload(f.name, f.read()) for f in files]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_batch(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not access.can_batch_import(user):
        raise PermissionDenied("只有主管部门可以批量导入下级机关的年度报告。")
    scope = access.oversight_scope(user)
    form = BatchImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if scope is None:
            form.add_error(None, "您的账户未设所属机关，无法确定导入到哪些机关。")
        elif form.is_valid():
            try:
                job = batch.start_job(
                    form.cleaned_data["year"], scope, user, _uploads(form.cleaned_data["uploads"])
                )
            except batch.BatchError as exc:
                form.add_error("uploads", str(exc))
            else:
                started = f"已开始导入{job.total}个文件，可离开本页，稍后回来查看。"
                messages.success(request, started)
                return redirect("reports:import_job", pk=job.pk)
    jobs = ImportJob.objects.for_user(user).select_related("agency")[:20]
    context = {"form": form, "jobs": jobs, "scope": scope}
    return render(request, "reports/import_batch.html", context, status=status)


def _job_for(user, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.for_user(user).select_related("agency"), pk=pk)
    recover_if_stale(job)  # its worker may have died: say so, and run it again
    return job


@login_required
@require_safe
def import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job_for(request.user, pk)
    files = (
        job.files.defer("content").select_related("agency", "report").prefetch_related("candidates")
    )
    context = {
        "job": job,
        "files": files,
        "counts": job.outcome_counts(),
        "statuses": FileStatus,
    }
    return render(request, "reports/import_job.html", context)


@login_required
@require_safe
def import_job_status(request: AuthedRequest, pk: int) -> JsonResponse:
    job = _job_for(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "progress": job.progress,
            "total": job.total,
            "percent": job.percent,
            "error": job.error,
            "counts": job.outcome_counts(),
        }
    )


@login_required
@require_POST
def import_job_assign(request: AuthedRequest, pk: int, file_pk: int) -> HttpResponse:
    """Choose the agency of a file whose title matched no agency, or several."""
    job = _job_for(request.user, pk)
    file = get_object_or_404(ImportFile.objects.defer("content"), pk=file_pk, job=job)
    if file.status != FileStatus.NEEDS_AGENCY:
        messages.error(request, f"“{file.name}”已处理，无需再指定机关。")
        return redirect("reports:import_job", pk=job.pk)
    # A suggested agency chosen, or any agency of the job's subtree by its full name
    # (a list of every agency would be megabytes in a province).
    agency_id = request.POST.get("agency") or ""
    name = " ".join((request.POST.get("agency_name") or "").split())
    candidates = job.agency.subtree() & access.agencies_visible_to(request.user)
    agency = None
    if agency_id.isdigit():
        agency = candidates.filter(pk=int(agency_id)).first()
    elif name:
        agency = candidates.filter(name=name).first()
        if agency is None:
            messages.error(
                request, f"{job.agency.name}下级没有名为“{name}”的机关，请输入机关全称。"
            )
            return redirect("reports:import_job", pk=job.pk)
    if agency is None:
        messages.error(request, f"请为“{file.name}”选择本机关下级的一个机关，或输入机关全称。")
        return redirect("reports:import_job", pk=job.pk)
    batch.assign(file, agency)
    messages.success(request, f"“{file.name}”将导入到{agency.name}。")
    return redirect("reports:import_job", pk=job.pk)
