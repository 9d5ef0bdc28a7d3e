"""Views for files in and out: XLSX of one report, and importing a published report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import xlsx
from .forms_io import PublishedUploadForm, WorkbookUploadForm
from .imports import import_bytes
from .services import ImportRefused
from .views import get_report_for


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    blank = request.GET.get("blank") == "1"
    body = xlsx.workbook_bytes(report.document(), blank=blank)
    kind = "blank" if blank else "filled"
    return _attachment(
        body, xlsx.XLSX_CONTENT_TYPE, f"report-{report.agency_id}-{report.year}-{kind}.xlsx"
    )


@login_required
@require_GET
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from .docx_export import DOCX_CONTENT_TYPE, document_bytes

    report = get_report_for(request.user, pk)
    body = document_bytes(report.document())
    return _attachment(body, DOCX_CONTENT_TYPE, f"report-{report.agency_id}-{report.year}.docx")


@login_required
@require_POST
def report_upload_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    if not report.can_edit(request.user):
        raise PermissionDenied(report.locked_reason() or "您没有修改本报告的权限。")
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, f"未导入：{error}")
        return redirect(report)
    upload = form.cleaned_data["file"]
    try:
        result = import_bytes(
            upload.read(), upload.name, request.user, target=report, allowed=("xlsx",)
        )
    except ImportRefused as refused:
        messages.error(request, f"未导入，报告未作任何修改（{len(refused.findings)}处错误）：")
        for finding in refused.findings[:30]:
            messages.error(request, finding.message)
        return redirect(report)
    messages.success(request, "已从工作簿导入表格数据。")
    return redirect(result.report)


@login_required
@require_http_methods(["GET", "POST"])
def import_published(request: HttpRequest) -> HttpResponse:
    """从已发布年报导入: a clerk turns their agency's published report into a draft."""
    user = request.user
    if not user.is_clerk:
        raise PermissionDenied("只有填报人可以导入年度报告。")
    form = PublishedUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        # Only the clerk's own agency: the agency named in the report must be theirs.
        try:
            result = import_bytes(data, upload.name, user, agency=user.agency, allowed=("text",))
        except ImportRefused as refused:
            context["refused"] = refused.findings
            return render(request, "reports/import_published.html", context, status=400)
        context["result"] = result
        return render(request, "reports/import_published.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/import_published.html", context, status=status)
