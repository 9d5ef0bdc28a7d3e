"""Files of one report: the downloads (JSON, PDF, HTML, XLSX, DOCX), each named after
the report's title, and the upload of a filled workbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from reports.io import codec, xlsx
from reports.io.errors import ImportRefused
from reports.io.forms import WorkbookUploadForm
from reports.io.imports import import_bytes
from reports.printing import pdf, word
from reports.views.http import AuthedRequest, attachment
from reports.views.reports import get_report_for


@login_required
@require_safe
def report_json(request: AuthedRequest, pk: int) -> HttpResponseBase:
    report = get_report_for(request.user, pk)
    return attachment(codec.dumps(report.document()), report.filename("json"))


@login_required
@require_safe
def report_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The report in the official print layout as PDF. A published report serves the
    PDF stored when it was published; any other the PDF the worker rendered after its
    last save, or one rendered now. ``X-PDF-Source`` says which, for the operators and
    the load benchmark."""
    report = get_report_for(request.user, pk)
    data, from_store = pdf.report_pdf_from_store(report)
    response = attachment(data, report.filename("pdf"))
    response["X-PDF-Source"] = "stored" if from_store else "rendered"
    return response


@login_required
@require_safe
def report_html(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The print layout as one self-contained HTML file."""
    report = get_report_for(request.user, pk)
    return attachment(pdf.render_html(report).encode(), report.filename("html"))


@login_required
@require_safe
def report_xlsx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    report = get_report_for(request.user, pk)
    blank = request.GET.get("blank") == "1"
    body = xlsx.workbook_bytes(report.document(), blank=blank)
    name = report.filename("xlsx")
    if blank:
        name = name.removesuffix(".xlsx") + "（空白模板）.xlsx"
    return attachment(body, name)


@login_required
@require_safe
def report_docx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    report = get_report_for(request.user, pk)
    return attachment(word.document_bytes(report.document()), report.filename("docx"))


@login_required
@require_POST
def report_upload_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
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
