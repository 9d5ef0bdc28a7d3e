"""Section forms: each class of bad input, and what is normalised."""

import pytest

from reports.io.forms import InfoForm, page_form_class
from reports.spec import schema
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


def review_data(**cells):
    data = {"review_litigation_note": ""}
    data.update({c.field: "0" for c in schema.stored_cells_of("review_litigation")})
    data.update(cells)
    return data


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-2", "表四 行政复议 · 结果纠正：不能为负数"),
        ("2.0", "表四 行政复议 · 结果纠正：应为整数，不能有小数"),
        ("2147483648", "表四 行政复议 · 结果纠正：超过上限 2,147,483,647"),
        ("两件", "表四 行政复议 · 结果纠正：应为非负整数，不能含有文字或符号"),
        ("=1+1", "表四 行政复议 · 结果纠正：不接受公式，请直接填写数字"),
        ("12,34", "表四 行政复议 · 结果纠正：千位分隔符位置不正确"),
    ],
)
def test_each_class_of_bad_count_is_refused_naming_the_cell(agencies, typed, message):
    report = make_report(agencies["office"])
    form = page_form_class("review_litigation")(
        review_data(rl_review_corrected=typed), instance=report
    )
    assert not form.is_valid()
    assert form.errors["rl_review_corrected"] == [message]


@pytest.mark.parametrize(
    ("typed", "stored"), [("１２", 12), (" 1,200 ", 1200), ("", None), ("0", 0)]
)
def test_counts_are_normalised_before_saving(agencies, typed, stored):
    report = make_report(agencies["office"])
    form = page_form_class("review_litigation")(
        review_data(rl_review_upheld=typed), instance=report
    )
    assert form.is_valid(), form.errors
    form.save()
    report.refresh_from_db()
    assert report.rl_review_upheld == stored


def test_table_form_holds_exactly_the_stored_cells_of_its_table():
    form = page_form_class("applications")()
    cells = [name for name in form.fields if name.startswith("app_")]
    assert len(cells) == 144
    assert "app_handled_total_total" not in form.fields
    assert "app_granted_total" not in form.fields


def test_text_form_refuses_markup_and_normalises_line_endings(agencies):
    report = make_report(agencies["office"])
    form = page_form_class("other_matters")(
        {"other_matters": "<a href=x>链接</a>"}, instance=report
    )
    assert not form.is_valid()
    form = page_form_class("other_matters")({"other_matters": "甲 \r\n乙\r\n"}, instance=report)
    assert form.is_valid()
    assert form.cleaned_data["other_matters"] == "甲\n乙"


def test_text_form_accepts_chinese_quotes_and_comparisons(agencies):
    report = make_report(agencies["office"])
    text = "依据《条例》第二十条，件数 < 10 时不单列。"
    form = page_form_class("problems")({"problems": text}, instance=report)
    assert form.is_valid(), form.errors


def test_info_form_refuses_markup_in_the_title(agencies):
    report = make_report(agencies["office"])
    form = InfoForm({"title": "<script>x</script>", "signature_agency": "甲"}, instance=report)
    assert not form.is_valid()
    assert "title" in form.errors
