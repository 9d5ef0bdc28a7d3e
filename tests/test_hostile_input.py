"""Text and numbers from outside become values in one place: whatever the path (the
section form, a workbook, a published text, JSON), a bad value gets the same Chinese
reason with the cell or field named, never a 500, and nothing is stored from a refused
input. Expected reasons are those of SPEC §3 (counts) and the limits of the columns."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.io import codec, xlsx
from reports.io.errors import ImportRefused
from reports.io.imports import import_bytes
from reports.models import GeneralSection, Report
from reports.spec import schema
from tests.helpers import general_post, load_seed, make_report
from tests.textgen import published_text

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # beyond Python's 4,300-digit limit of int()
OVER_LIMIT = "超过上限 2,147,483,647"
CELL = schema.cell("applications", "granted", "natural_person")


@pytest.fixture
def office(seed_agencies, agencies):
    return agencies["office"]


@pytest.fixture
def draft(office):
    """The clerk's 2023 draft with one count already saved, which no refused input may
    change."""
    return make_report(office, 2023, figures={CELL.field: 5}, problems="原有的第五部分。")


def office_doc() -> dict:
    return copy.deepcopy(load_seed(1))  # 宁波市镇海区人民政府办公室 2023


def stored(report: Report) -> tuple:
    report.refresh_from_db()
    return getattr(report, CELL.field), report.problems, report.title, report.version


def refusal(data: bytes, name: str, target: Report | None = None) -> str:
    with pytest.raises(ImportRefused) as caught:
        import_bytes(data, name, target=target)
    return str(caught.value)


def workbook(changes: dict[tuple[str, str], object], keys: dict[str, object] | None = None):
    data = xlsx.workbook_bytes(codec.parse(office_doc()).doc)
    wb = load_workbook(io.BytesIO(data))
    for (sheet, coordinate), value in changes.items():
        wb[sheet][coordinate] = value
    for row in wb[xlsx.KEY_SHEET].iter_rows(min_row=2):
        if keys and row[0].value in keys:
            row[1].value = keys[row[0].value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def where_is(field: str) -> tuple[str, str]:
    wb = load_workbook(io.BytesIO(xlsx.workbook_bytes(codec.parse(office_doc()).doc)))
    for key, _, sheet, coordinate in wb[xlsx.KEY_SHEET].iter_rows(min_row=2, values_only=True):
        if key == field:
            return sheet, coordinate
    raise KeyError(field)


def section_post(client, report: Report, section: str, data: dict):
    report.refresh_from_db()
    url = reverse("reports:section", args=[report.pk, section])
    return client.post(url, {**data, "version": report.version})


def applications_data(report: Report, **cells: str) -> dict:
    data = {
        c.field: "" if getattr(report, c.field) is None else str(getattr(report, c.field))
        for c in schema.stored_cells_of("applications")
    }
    data.update(cells)
    return data


# --- a count of 5,000 digits, on every path ----------------------------------------


def test_a_count_of_five_thousand_digits_in_the_form_is_refused_naming_the_cell(
    client, alice, draft
):
    client.force_login(alice)
    before = stored(draft)
    response = section_post(
        client, draft, "applications", applications_data(draft, **{CELL.field: HUGE})
    )
    assert response.status_code == 400  # the page again, with the input kept
    assert f"{CELL.label}：{OVER_LIMIT}" in response.getvalue().decode()
    assert stored(draft) == before


def test_a_count_of_five_thousand_digits_in_a_workbook_is_refused_naming_sheet_and_cell(draft):
    sheet, coordinate = where_is(CELL.field)
    before = stored(draft)
    message = refusal(workbook({(sheet, coordinate): HUGE}), "r.xlsx", draft)
    assert f"{sheet} {coordinate}：{OVER_LIMIT}" in message
    assert stored(draft) == before


def test_a_count_of_five_thousand_digits_in_a_published_text_is_refused(draft):
    doc = office_doc()
    doc["applications"]["granted"]["natural_person"] = HUGE
    before = stored(draft)
    message = refusal(published_text(doc, "pdf").encode(), "r.txt")
    assert f"{CELL.label}（applications.granted.natural_person）：{OVER_LIMIT}" in message
    assert stored(draft) == before


def test_a_count_of_five_thousand_digits_in_json_is_refused(draft):
    text = json.dumps(office_doc()).replace(
        '"natural_person": 12,', f'"natural_person": {HUGE},', 1
    )
    assert HUGE in text
    before = stored(draft)
    message = refusal(text.encode(), "r.json")
    assert f"{CELL.label}（applications.granted.natural_person）：{OVER_LIMIT}" in message
    assert stored(draft) == before


def test_a_negative_count_in_a_published_text_refuses_the_file_instead_of_a_blank(draft):
    doc = office_doc()
    doc["applications"]["granted"]["natural_person"] = -5
    before = stored(draft)
    message = refusal(published_text(doc, "word").encode(), "r.txt")
    assert f"{CELL.label}（applications.granted.natural_person）：不能为负数" in message
    assert stored(draft) == before


# --- control characters -----------------------------------------------------------


def test_words_manual_line_break_becomes_a_line_break_and_the_downloads_work(client, alice, draft):
    client.force_login(alice)
    response = section_post(client, draft, "problems", {"problems": "第一行\x0b第二行"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.problems == "第一行\n第二行"
    for name in ("reports:docx", "reports:xlsx"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 200


@pytest.mark.parametrize(("section", "field"), [("problems", "problems"), ("info", "title")])
def test_an_escape_character_is_refused_naming_it_and_nothing_is_stored(
    client, alice, draft, section, field
):
    client.force_login(alice)
    before = stored(draft)
    data = {"title": draft.title, "signature_agency": "", "opening": ""}
    data[field] = "正文\x1b[31m红字"
    response = section_post(client, draft, section, data)
    assert response.status_code == 400
    assert "第1行含有不可见的控制字符（U+001B），请删除后重新填写。" in response.getvalue().decode()
    assert stored(draft) == before


def test_an_escape_character_in_json_gets_the_same_reason_with_the_field_named(draft):
    doc = office_doc()
    doc["sections"] = {"problems": "正文\x1b红字"}
    before = stored(draft)
    message = refusal(json.dumps(doc).encode(), "r.json")
    assert "“五、存在的主要问题及改进情况”：第1行含有不可见的控制字符（U+001B）" in message
    assert stored(draft) == before


def test_a_nul_in_json_is_refused_not_sent_to_the_database(draft):
    doc = office_doc()
    doc["title"] = "标题\x00"
    before = stored(draft)
    message = refusal(json.dumps(doc).encode(), "r.json")
    assert "标题（title）：第1行含有不可见的控制字符（U+0000）" in message
    assert stored(draft) == before


# --- lengths, years, nesting ------------------------------------------------------


def test_a_title_longer_than_its_column_is_refused_from_json_and_from_a_workbook(draft):
    limit = Report._meta.get_field("title").max_length
    doc = office_doc()
    doc["title"] = "长" * (limit + 1)
    before = stored(draft)
    expected = f"标题（title）：不能超过{limit}个字（现有{limit + 1}个字）。"
    assert expected in refusal(json.dumps(doc).encode(), "r.json")
    assert expected in refusal(workbook({}, {"title": "长" * (limit + 1)}), "r.xlsx")
    assert stored(draft) == before


@pytest.mark.parametrize("year", ["二〇二三", "²⁰²³", "9" * 5000])
def test_a_workbook_with_a_year_that_is_not_a_number_is_refused(draft, year):
    before = stored(draft)
    assert "年度（year）应为2008至2100的整数。" in refusal(workbook({}, {"year": year}), "r.xlsx")
    assert stored(draft) == before


def test_json_nested_a_hundred_thousand_deep_is_refused(draft):
    data = b'{"agency": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert "嵌套层级过深" in refusal(data, "r.json")


# --- silent loss --------------------------------------------------------------------


def test_a_formula_without_a_cached_value_is_refused_not_stored_as_blank(draft):
    sheet, coordinate = where_is(CELL.field)
    before = stored(draft)
    message = refusal(workbook({(sheet, coordinate): "=1+1"}), "r.xlsx", draft)
    assert f"{sheet} {coordinate}：公式“=1+1”没有计算结果" in message
    assert stored(draft) == before
    assert before[0] == 5


def test_an_imported_general_section_saves_back_unchanged(client, alice, office):
    # A published 一、总体情况 with a paragraph before its first (一): a sub-section
    # without heading.
    result = import_bytes(published_text(office_doc(), "word").encode(), "r.txt")
    sections = list(result.report.general.order_by("position").values("id", "heading", "body"))
    assert sections[0]["heading"] == "" and sections[0]["body"]
    client.force_login(alice)
    forms = [{**s, "ORDER": str(i + 1)} for i, s in enumerate(sections)]
    response = section_post(client, result.report, "general", general_post(forms))
    assert response.status_code == 302
    after = GeneralSection.objects.filter(report=result.report).order_by("position")
    assert list(after.values("id", "heading", "body")) == sections


def test_a_comparison_with_spaces_is_text_not_markup(client, alice, draft):
    client.force_login(alice)
    response = section_post(client, draft, "problems", {"problems": "数量 a < b 时合并统计。"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.problems == "数量 a < b 时合并统计。"


def test_markup_is_still_refused(client, alice, draft):
    client.force_login(alice)
    response = section_post(client, draft, "problems", {"problems": "<script>x</script>"})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.problems == "原有的第五部分。"
