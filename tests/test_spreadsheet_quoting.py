"""Text people typed never becomes a live formula in a workbook the project writes:
an agency named like a formula is quoted in every sheet of every oversight export."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Agency
from tests.helpers import make_report

pytestmark = pytest.mark.django_db

WITH_REPORT = '=HYPERLINK("http://evil.example/","点我")'
WITHOUT_REPORT = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def hostile(agencies):
    """Two agencies beneath carol's named like formulas: one with a draft for 2023 (in
    the roll-up's 纳入 list, its blank cells in 空白单元格), one without (未报送)."""
    with_report = Agency.objects.create(name=WITH_REPORT, parent=agencies["zhenhai"])
    Agency.objects.create(name=WITHOUT_REPORT, parent=agencies["zhenhai"])
    make_report(with_report, year=2023)
    return with_report


def cells(body: bytes) -> dict[str, list]:
    book = load_workbook(BytesIO(body))
    return {ws.title: [c for row in ws.iter_rows() for c in row] for ws in book.worksheets}


def assert_no_formula_and_quoted(sheets: dict[str, list], *names: str) -> None:
    values = {c.value for sheet in sheets.values() for c in sheet if isinstance(c.value, str)}
    formulas = [c.coordinate for sheet in sheets.values() for c in sheet if c.data_type == "f"]
    assert formulas == []
    for name in names:
        assert any(v.startswith("'" + name) for v in values), name


def test_the_oversight_status_workbook_quotes_agency_names(client, carol, hostile):
    client.force_login(carol)
    response = client.get(reverse("oversight:home_xlsx"), {"year": 2023})
    assert response.status_code == 200
    assert_no_formula_and_quoted(cells(response.getvalue()), WITH_REPORT, WITHOUT_REPORT)


def test_the_rollup_workbook_quotes_names_in_every_sheet(client, carol, hostile):
    client.force_login(carol)
    response = client.get(reverse("oversight:rollup_export", args=["xlsx"]), {"year": 2023})
    sheets = cells(response.getvalue())
    assert_no_formula_and_quoted(
        {"纳入与未报送": sheets["纳入与未报送"]}, WITH_REPORT, WITHOUT_REPORT
    )
    assert_no_formula_and_quoted({"空白单元格": sheets["空白单元格"]})
    blank_lists = [c.value for c in sheets["空白单元格"] if c.column == 3 and c.row > 1]
    assert blank_lists and all(v.startswith("'" + WITH_REPORT) for v in blank_lists)
    assert_no_formula_and_quoted(sheets)


def test_a_control_character_stored_in_a_name_does_not_break_the_workbook(client, carol, hostile):
    # Stored before input refused such characters: the download still works.
    Agency.objects.filter(pk=hostile.pk).update(name="宁波市\x1b镇海区某局")
    client.force_login(carol)
    response = client.get(reverse("oversight:home_xlsx"), {"year": 2023})
    assert response.status_code == 200
    names = {c.value for c in cells(response.getvalue())["2023年度报告进度"] if c.column == 1}
    assert "宁波市镇海区某局" in names
