"""Upload forms for workbooks and published reports."""

from __future__ import annotations

from django import forms

from .imports import MAX_UPLOAD_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(label="文件")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            limit = MAX_UPLOAD_BYTES // 1024 // 1024
            raise forms.ValidationError(f"文件过大（{upload.size // 1024} KB），上限为{limit} MB。")
        return upload


class WorkbookUploadForm(UploadForm):
    file = forms.FileField(label="填好的XLSX工作簿", help_text="请使用本页下载的模板填写。")


class PublishedUploadForm(UploadForm):
    file = forms.FileField(
        label="已发布的年度报告",
        help_text="支持从Word或PDF复制出的文本（.txt）、Markdown（.md）和网页（.html）。",
    )
