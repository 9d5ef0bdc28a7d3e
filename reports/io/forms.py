"""Forms of the report's sections, built from the template definition."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from html import escape
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from reports.io.imports import MAX_UPLOAD_BYTES
from reports.models import Agency, GeneralSection, Report, User
from reports.spec import schema
from reports.spec.calendar import FIRST_YEAR, LAST_YEAR
from reports.spec.numbers import NumberError, format_fee, parse_count, parse_fee
from reports.spec.text import NARRATIVE_MAX_CHARS, TextError, clean_text


def html_escape(value: Any) -> str:
    """What ``conditional_escape`` returns, without its safe-string wrapper, which
    costs more than the escaping at the hundreds of values an editing page writes."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def html_attrs(attrs: dict[str, Any]) -> str:
    """Attributes as Django's ``attrs.html`` writes them (True bare, False left out),
    written directly: the editor's inputs and form fields (``CellInput``,
    ``templatetags.bootstrap_fields``) without a template rendering each."""
    html = ""
    for name, value in attrs.items():
        if value is True:
            html += f" {html_escape(name)}"
        elif value is not False:
            html += f' {html_escape(name)}="{html_escape(str(value))}"'
    return html


class CellInput(forms.TextInput):
    """The input of one cell, written out directly: the same markup as Django's
    ``input.html`` and ``attrs.html`` templates, without two template renderings per
    cell, which cost the 144-cell table of 表三 most of its page time (bench/editor.py).
    The attributes from the template definition are written once per process, and the
    widget is never changed afterwards (the forms of a page share it, ``CellField``);
    those of the request (disabled, aria-invalid, aria-describedby) are Django's
    (``BoundField.as_widget``, ``templatetags.grid``)."""

    def __init__(self, attrs: dict[str, Any]):
        super().__init__(attrs)
        self.fixed_attrs = html_attrs(self.attrs)

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        value = self.format_value(value)
        html = f'<input type="{self.input_type}" name="{escape(name)}"'
        if value is not None:
            html += f' value="{escape(value)}"'
        if not attrs:  # a cell of a page that may be edited, without errors: most
            # SafeString is what mark_safe returns for a str, without its check for
            # lazy arguments, a fifth of this method's time.
            return SafeString(f"{html}{self.fixed_attrs}>")
        if any(key in self.attrs for key in attrs):
            # An attribute of the template definition overridden: Django's order.
            return mark_safe(f"{html}{html_attrs(self.build_attrs(self.attrs, attrs))}>")
        # Django writes the widget's own attributes first, then the request's.
        return mark_safe(f"{html}{self.fixed_attrs}{html_attrs(attrs)}>")


def _copy_of(obj: Any) -> Any:
    """A shallow copy of a plain object: what copy.copy makes of it."""
    copied = object.__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


class CellField(forms.CharField):
    """One number of a table. Accepts what clerks type (full-width digits, separators,
    spaces) and refuses the rest with a message that names the cell."""

    def __init__(self, cell: schema.Cell, **kwargs):
        self.cell = cell
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", cell.label)
        attrs = {
            "class": "form-control form-control-sm cell-input",
            "id": cell.anchor,
            "inputmode": "decimal" if cell.kind == "fee" else "numeric",
            "autocomplete": "off",
            "aria-label": cell.label,
            "data-table": cell.table,
            "data-row": cell.row,
            "data-col": cell.col or "",
        }
        super().__init__(widget=CellInput(attrs=attrs), strip=True, **kwargs)

    def __deepcopy__(self, memo: dict[int, Any]) -> CellField:
        # Each form gets its own copy of the field (a locked page disables its fields),
        # but shares what no form changes: the widget, whose attributes are written
        # once (CellInput.fixed_attrs), the messages and the validators. Django's
        # Field.__deepcopy__ copies all of them, five objects a cell, which cost 表三's
        # form of 144 cells a millisecond and the garbage collector as much again.
        result = _copy_of(self)
        memo[id(self)] = result
        return result

    def to_python(self, value):
        try:
            if self.cell.kind == "fee":
                return parse_fee(value)
            return parse_count(value)
        except NumberError as exc:
            raise ValidationError(f"{self.cell.label}：{exc}", code="number") from None

    def prepare_value(self, value):
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format_fee(value)
        return value


class PlainTextField(forms.CharField):
    """Narrative text, judged by ``spec.text.clean_text`` as every import judges it
    (before Django's own validators, so the reason is the same on every path)."""

    single_line = False

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        if kwargs.get("max_length") is None:
            kwargs["max_length"] = NARRATIVE_MAX_CHARS
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.Textarea):
            # A browser silently cuts pasted text at maxlength; the server says so
            # instead, with the text kept on the page.
            attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return clean_text(text or "", max_length=self.max_length, single_line=self.single_line)
        except TextError as exc:
            raise ValidationError(str(exc), code="text") from None


class PlainLineField(PlainTextField):
    """A title, a heading, the signing agency: one line of plain text."""

    single_line = True

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput())
        super().__init__(**kwargs)


def _formfield(db_field, **kwargs):
    c = schema.CELL_BY_FIELD.get(db_field.name)
    if c is not None:
        return CellField(c)
    narrative = schema.NARRATIVE_BY_KEY.get(db_field.name)
    if narrative is not None:
        return PlainTextField(
            label=narrative.label, widget=forms.Textarea(attrs={"rows": narrative.rows})
        )
    return db_field.formfield(**kwargs)


class ReportSectionForm(forms.ModelForm):
    class Meta:
        model = Report
        fields: list[str] = []


class FieldNames(tuple[str, ...]):
    """A form's field names in their order, asked ``in`` as a set: a ``ModelForm`` asks
    whether each of the report's 192 columns is among its fields when it reads the
    instance and again when it copies the input back, which with the 145 names of
    表三 in a list cost its page a tenth of a millisecond each (bench/editor.py)."""

    names: frozenset[str]

    def __new__(cls, names: tuple[str, ...]) -> FieldNames:
        self = super().__new__(cls, names)
        self.names = frozenset(names)
        return self

    def __contains__(self, name: object) -> bool:
        return name in self.names


@cache
def page_form_class(page: str) -> type[forms.ModelForm]:
    """The form of a table or text page: the ``Report`` columns it writes. Built once
    per process: it depends on the template definition only."""
    return forms.modelform_factory(
        Report,
        form=ReportSectionForm,
        fields=FieldNames(schema.page_fields(page)),
        formfield_callback=_formfield,
    )


class InfoForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = list(schema.INFO_FIELDS)
        widgets = {"signature_date": forms.DateInput(attrs={"type": "date"})}
        field_classes = {
            "title": PlainLineField,
            "opening": PlainTextField,
            "signature_agency": PlainLineField,
        }


class GeneralSectionForm(forms.ModelForm):
    heading = PlainLineField(
        label="小标题", max_length=GeneralSection._meta.get_field("heading").max_length
    )
    body = PlainTextField(label="正文", widget=forms.Textarea(attrs={"rows": 8}))

    class Meta:
        model = GeneralSection
        fields = ["heading", "body"]

    def clean_heading(self) -> str:
        heading = self.cleaned_data["heading"]
        # A new sub-section needs a heading. One stored without (published reports
        # often open 一、总体情况 with a paragraph before the first (一), and an import
        # keeps it so) may stay without: what was imported must save back unchanged.
        if not heading and (self.instance.pk is None or self.instance.heading):
            raise ValidationError("请填写小标题。", code="required")
        return heading


class BaseGeneralSectionFormSet(BaseInlineFormSet):
    """Sub-sections of 一, saved in the order the clerk gave them."""

    def save(self, commit: bool = True) -> list[GeneralSection]:
        super().save(commit=False)
        for obj in self.deleted_objects:
            obj.delete()
        saved = []
        for position, form in enumerate(self.ordered_forms):
            obj = form.instance
            obj.report = self.instance
            obj.position = position
            obj.save()
            saved.append(obj)
        return saved


GeneralSectionFormSet = inlineformset_factory(
    Report,
    GeneralSection,
    form=GeneralSectionForm,
    formset=BaseGeneralSectionFormSet,
    extra=0,
    can_delete=True,
    can_order=True,
)


class NewReportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, *args, agency: Agency, **kwargs):
        self.agency = agency
        super().__init__(*args, **kwargs)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if Report.objects.filter(agency=self.agency, year=year).exists():
            raise ValidationError(f"{self.agency.name}{year}年的年度报告已经存在。")
        return year


# --- uploads ---------------------------------------------------------------------


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


PUBLISHED_HELP = (
    "支持发布时的Word文档（.docx）、带文字层的PDF、从门户网站保存的网页（.html）、"
    "从Word或PDF复制出的文本（.txt/.md），以及本系统导出的JSON和XLSX。"
)


class PublishedUploadForm(UploadForm):
    file = forms.FileField(label="已发布的年度报告", help_text=PUBLISHED_HELP)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


BATCH_MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class BatchImportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    uploads = MultipleFileField(
        label="各部门已发布的年度报告",
        help_text="可选择多个文件，或上传一个ZIP压缩包；"
        + PUBLISHED_HELP
        + "系统按标题中的机关名称对应到本机关下级的机关。",
    )

    def clean_uploads(self):
        uploads = self.cleaned_data["uploads"]
        total = sum(u.size for u in uploads)
        if total > BATCH_MAX_UPLOAD_BYTES:
            limit = BATCH_MAX_UPLOAD_BYTES // 1024 // 1024
            size = total // 1024 // 1024
            raise forms.ValidationError(f"上传的文件共{size} MB，上限为{limit} MB。")
        return uploads


# --- accounts --------------------------------------------------------------------


class AccountPasswordResetForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; here new accounts
    (made in the admin, or imported from a sheet with ``set_unusable_password``) set
    their first password this way. Inactive accounts still get nothing."""

    def get_users(self, email: str):
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")
