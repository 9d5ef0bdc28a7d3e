"""A clerk downloads the blank workbook, fills it offline, uploads it and sees the figures."""

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import login, screenshot
from tests.helpers import make_report, seed_001

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_uploads_filled_workbook_and_sees_the_figures(page, alice, agencies, tmp_path):
    report = make_report(agencies["office"], 2024)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/")
    with page.expect_download() as info:
        page.click("#download-blank-xlsx")
    blank = tmp_path / "blank.xlsx"
    info.value.save_as(blank)

    # Filled offline, as a clerk would: every detail cell of seed 001.
    wb = load_workbook(blank)
    keys = {row[0]: (row[2], row[3]) for row in wb["_keys"].iter_rows(min_row=2, values_only=True)}
    seed = seed_001()
    for table in ("active_disclosure", "applications", "review_litigation"):
        for row, values in seed[table].items():
            items = values.items() if isinstance(values, dict) else [(None, values)]
            for col, value in items:
                prefix = {
                    "active_disclosure": "ad",
                    "applications": "app",
                    "review_litigation": "rl",
                }
                field = "_".join([prefix[table], row] + ([col] if col else []))
                if col == "total" or row == "handled_total":
                    continue
                sheet, coordinate = keys[field]
                wb[sheet][coordinate] = value if not isinstance(value, str) else float(value)
    filled = tmp_path / "filled.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    filled.write_bytes(buffer.getvalue())

    page.set_input_files("#xlsx-file", str(filled))
    page.click("#xlsx-upload button[type=submit]")
    page.wait_for_selector("text=已从工作簿导入表格数据")
    screenshot(page, "xlsx-upload-done")

    page.goto(f"/reports/{report.pk}/edit/applications/")
    assert page.input_value("#cell-app_new_received_natural_person") == "36"
    assert page.locator("#cell-app_new_received_total").inner_text() == "52"
    assert page.locator("#cell-app_handled_total_total").inner_text() == "50"
    screenshot(page, "xlsx-upload-figures")
    report.refresh_from_db()
    assert report.app_unable_not_held_natural_person == 15
