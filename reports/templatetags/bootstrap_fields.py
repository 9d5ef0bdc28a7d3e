"""Form fields as django-crispy-forms' bootstrap5 templates write them, in one pass.

Through crispy's ``field.html`` (and the three templates it includes) each field cost
about 0.4 ms, which made the page of 一、总体情况 (24 fields: each sub-section's heading,
order, delete box and body, and the empty form) twice as slow as the other editing
pages (bench/editor.py). ``as_bootstrap_field`` writes byte for byte what
``as_crispy_field`` writes, and ``as_bootstrap_form`` what ``|crispy`` writes, for the
fields these pages have: text, number and date inputs, text areas and check boxes, with
their labels, errors and help text (``tests/test_bootstrap_fields.py`` compares them in
every state). Any other field, or a form with a crispy helper, goes through crispy.
Crispy's classes are added to the widget the way its ``crispy_field`` tag adds them;
Django then builds the widget's attributes and context (``BoundField.build_widget_attrs``,
``Widget.get_context``) and, for its own input and text area templates, the markup those
templates write is written here too; any other widget is rendered by Django.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from django import forms, template
from django.conf import settings
from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Input, Widget
from django.utils.safestring import SafeString, mark_safe

from reports.io.forms import html_attrs as _attrs
from reports.io.forms import html_escape as _e

register = template.Library()


def _supported(field: BoundField) -> bool:
    widget = field.field.widget
    if getattr(field.form, "helper", None) is not None or field.is_hidden or field.use_fieldset:
        return False
    if isinstance(widget, forms.CheckboxInput | forms.Textarea):
        return True
    return isinstance(widget, Input) and not isinstance(widget, forms.FileInput)


def _add_classes(field: BoundField, classes: str) -> None:
    """What crispy's ``{% crispy_field field 'class' classes %}`` does to the widget
    before rendering it: its own class name, then ``classes``, each once."""
    widget = field.field.widget
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    widget.attrs["class"] = css
    present = css.split()
    for name in classes.split():
        if name not in present:
            widget.attrs["class"] += f" {name}"
            present.append(name)


# Django's widget templates that are ``input.html``, and its text area.
_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "date", "email", "url", "checkbox", "hidden")
)
_TEXTAREA = "django/forms/widgets/textarea.html"


def _widget(field: BoundField) -> str:
    """``str(field)``: ``BoundField.as_widget`` and the widget's template."""
    widget = field.field.widget
    template_name = widget.template_name
    if (
        field.field.show_hidden_initial
        or field.field.localize
        or type(field.form.renderer) is not DjangoTemplates
        or type(widget).render is not Widget.render
        or (template_name not in _INPUTS and template_name != _TEXTAREA)
    ):
        return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    value = context["value"]
    if template_name == _TEXTAREA:
        text = _e(value) if value else ""
        return (
            f'<textarea name="{_e(context["name"])}"{_attrs(context["attrs"])}>\n{text}</textarea>'
        )
    shown = f' value="{_e(str(value))}"' if value is not None else ""
    return (
        f'<input type="{_e(context["type"])}" name="{_e(context["name"])}"{shown}'
        f"{_attrs(context['attrs'])}>"
    )


def _help_text_and_errors(field: BoundField, errors: Any) -> str:
    """``bootstrap5/layout/help_text_and_errors.html`` with its two includes."""
    block = "\n"
    if errors:
        block = f'\n    <div id="{_e(errors.field_id)}_error" class="invalid-feedback">\n    '
        for n, error in enumerate(errors, 1):
            where = f"error_{n}_{_e(field.auto_id)}"
            block += f'\n        <p id="{where}"><strong>{_e(error)}</strong></p>\n    '
        block += "\n    </div>\n\n"
    help_text = "\n"
    if field.help_text:
        where = f'id="{_e(field.auto_id)}_helptext" ' if field.auto_id else ""
        help_text = (
            f'\n    \n        <div {where}class="form-text">{field.help_text}</div>\n    \n\n'
        )
    return f"\n\n\n    {block}\n\n\n\n    {help_text}\n\n"


def _label(field: BoundField) -> str:
    if field.field.required:
        return f'{_e(field.label)}<span class="asteriskField">*</span>'
    return _e(field.label)


def bootstrap_field(field: BoundField) -> str:
    """One field as crispy's ``bootstrap5/field.html`` writes it (no layout options)."""
    errors = field.errors
    required = " requiredField" if field.field.required else ""
    css = field.css_classes()
    css = f" {_e(css)}" if css else ""
    if isinstance(field.field.widget, forms.CheckboxInput):
        _add_classes(field, "form-check-input is-invalid" if errors else "form-check-input")
        return (
            '\n\n\n    \n        <div class="mb-3">\n        \n    '
            f'\n    <div id="div_{_e(field.auto_id)}" class="form-check{css}">\n        '
            "\n\n        \n\n        \n            \n                    "
            f"\n                        {_widget(field)}\n                    "
            f'\n                <label for="{_e(field.id_for_label)}" '
            f'class="form-check-label{required}">\n                    {_label(field)}'
            f"\n                </label>\n                {_help_text_and_errors(field, errors)}"
            "\n            \n        \n        \n    </div>"
            "\n    \n        \n        </div>\n    \n\n"
        )
    label = ""
    if field.label:
        target = f'for="{_e(field.id_for_label)}"' if field.id_for_label else ""
        label = (
            f"\n            \n            <label\n                {target} "
            f'class="form-label{required}">\n                {_label(field)}'
            "\n            </label>\n        "
        )
    _add_classes(field, "form-control is-invalid" if errors else "form-control")
    return (
        f'\n\n\n    \n    <div id="div_{_e(field.auto_id)}" class="mb-3{css}">\n        {label}'
        "\n\n        \n\n        \n            \n                \n                    "
        f"\n                        {_widget(field)}\n                    \n                    "
        f"\n                        {_help_text_and_errors(field, errors)}\n                    "
        "\n                \n            \n        \n        \n    </div>\n    \n\n"
    )


@register.filter
def as_bootstrap_field(field: BoundField) -> SafeString:
    """``{{ field|as_crispy_field }}``, written in one pass."""
    if not _supported(field):
        return as_crispy_field(field)
    return mark_safe(bootstrap_field(field))


@register.filter
def as_input(field: BoundField) -> SafeString:
    """``{{ field }}``: the widget alone (a sub-section's hidden id)."""
    return mark_safe(_widget(field))


@register.filter
def as_hidden_inputs(form: forms.BaseForm) -> SafeString:
    """``{{ form }}`` of a form of hidden fields only (a formset's management form),
    which Django's ``div.html`` writes as the inputs one after the other."""
    if (
        form.errors
        or form.visible_fields()
        or form.template_name != "django/forms/div.html"
        or type(form.renderer) is not DjangoTemplates
    ):
        return mark_safe(str(form))
    return mark_safe("".join(_widget(f) for f in form.hidden_fields()))


@register.filter
def as_bootstrap_form(form: forms.BaseForm) -> SafeString:
    """``{{ form|crispy }}`` of a plain form, written in one pass."""
    fields = list(form)
    if (
        isinstance(form, forms.BaseFormSet)
        or getattr(form, "helper", None) is not None
        or form.non_field_errors()
        or not all(_supported(f) for f in fields)
    ):
        return as_crispy_form(form)
    inner = "\n    \n    \n        \n\n    \n    "
    inner += "".join(f"\n        {bootstrap_field(f)}\n    " for f in fields)
    return mark_safe(f"\n\n{remove_spaces(inner.strip())}\n")
