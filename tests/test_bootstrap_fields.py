"""The editing pages' form fields are written in one pass (``reports.templatetags.
bootstrap_fields``), not through crispy-forms' templates: the markup must be exactly what
``as_crispy_field`` and ``|crispy`` write, in every state of a field (blank, filled,
refused with its messages, required, with help text, locked)."""

from datetime import date

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms

from reports.io import editing
from reports.io.forms import GeneralSectionFormSet, InfoForm, page_form_class
from reports.templatetags.bootstrap_fields import (
    as_bootstrap_field,
    as_bootstrap_form,
    as_hidden_inputs,
    as_input,
)
from tests.helpers import general_post, import_seed, make_report

pytestmark = pytest.mark.django_db


class EveryKind(forms.Form):
    """The widgets the writer handles, required or not, with help text or not."""

    line = forms.CharField(label="标题", help_text="说明<b>粗体</b>", max_length=5)
    count = forms.IntegerField(label="件数", required=False)
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    agree = forms.BooleanField(label="同意", help_text="必须勾选")
    optional = forms.BooleanField(label="可选", required=False)
    unlabelled = forms.CharField(label="", required=False)


INVALID = {"line": "太长的标题<script>", "count": "x", "day": "2024-13-01", "text": "正文"}


def pairs(make):
    """Each field of two forms made alike: one written by crispy, one by the writer
    (crispy adds its classes to the widget it renders)."""
    theirs, ours = make(), make()
    return list(zip(list(theirs), list(ours), strict=True))


def assert_fields_as_crispy(make) -> int:
    checked = 0
    for theirs, ours in pairs(make):
        assert as_bootstrap_field(ours) == as_crispy_field(theirs), ours.name
        checked += 1
    return checked


def disabled(form):
    for field in form.fields.values():
        field.disabled = True
    return form


def test_every_kind_of_field_is_written_as_crispy_writes_it_blank_refused_and_locked():
    assert assert_fields_as_crispy(EveryKind) == 7
    assert assert_fields_as_crispy(lambda: EveryKind(INVALID)) == 7
    assert assert_fields_as_crispy(lambda: EveryKind({"line": "好", "agree": "on"})) == 7
    assert assert_fields_as_crispy(lambda: disabled(EveryKind(initial={"day": date(2024, 1, 2)})))
    refused = as_bootstrap_field(EveryKind(INVALID)["line"])
    assert 'class="invalid-feedback"' in refused and "&lt;script&gt;" in refused
    assert "requiredField" in refused and "说明<b>粗体</b>" in refused


def test_a_plain_form_is_written_as_crispy_writes_it():
    for make in (EveryKind, lambda: EveryKind(INVALID), lambda: disabled(EveryKind())):
        assert as_bootstrap_form(make()) == as_crispy_form(make())


def test_a_form_with_an_error_of_its_own_is_left_to_crispy():
    class Checked(EveryKind):
        def clean(self):
            raise forms.ValidationError("整体有误")

    data = {"line": "好", "day": "2024-01-02", "agree": "on"}
    assert as_bootstrap_form(Checked(data)) == as_crispy_form(Checked(data))
    assert "整体有误" in as_bootstrap_form(Checked(data))


def test_the_sub_sections_of_general_are_written_as_before_filled_refused_locked_and_empty(
    agencies,
):
    report = make_report(agencies["office"])
    # heading, body, ORDER, DELETE and the hidden id and report (left to crispy)
    assert assert_fields_as_crispy(lambda: editing.section_form(report, "general").forms[0]) == 6
    posted = general_post([{"heading": "", "body": "正文<i>", "ORDER": "x"}], initial=0)

    def refused():
        formset = GeneralSectionFormSet(posted, instance=report, prefix="general")
        assert not formset.is_valid()
        return formset.forms[0]

    assert assert_fields_as_crispy(refused) == 6
    assert assert_fields_as_crispy(
        lambda: disabled(editing.section_form(report, "general").forms[1])
    )
    assert assert_fields_as_crispy(lambda: editing.section_form(report, "general").empty_form) == 6


def test_the_info_text_and_table_pages_fields_are_written_as_before(seed_agencies):
    report = import_seed(1)
    assert assert_fields_as_crispy(lambda: InfoForm(instance=report)) == 4
    bad = {"title": "标题\x07", "signature_date": "昨天", "opening": "", "signature_agency": ""}
    assert assert_fields_as_crispy(lambda: InfoForm(bad, instance=report)) == 4
    for page in ("problems", "other_matters"):
        form = page_form_class(page)
        assert as_bootstrap_form(form(instance=report)) == as_crispy_form(form(instance=report))
    # A table page's note (its cells are written by the grid tags, never by crispy).
    form = page_form_class("applications")
    note, again = (
        form(instance=report)["applications_note"],
        form(instance=report)["applications_note"],
    )
    assert as_bootstrap_field(note) == as_crispy_field(again)


def test_hidden_ids_and_the_management_form_are_written_as_django_writes_them(agencies):
    report = make_report(agencies["office"])
    formset = editing.section_form(report, "general")
    assert [as_input(f["id"]) for f in formset.forms] == [str(f["id"]) for f in formset.forms]
    assert 'type="hidden"' in as_input(formset.forms[0]["id"])
    assert as_hidden_inputs(formset.management_form) == str(formset.management_form)
    posted = GeneralSectionFormSet(
        general_post([{"heading": "小标题", "body": "正文"}], initial=0),
        instance=report,
        prefix="general",
    )
    assert as_hidden_inputs(posted.management_form) == str(posted.management_form)
    # A management form that does not validate: Django writes its errors too.
    broken = GeneralSectionFormSet(
        {"general-TOTAL_FORMS": "x"}, instance=report, prefix="general"
    ).management_form
    assert as_hidden_inputs(broken) == str(broken)
