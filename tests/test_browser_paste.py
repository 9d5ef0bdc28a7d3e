"""A block copied from a spreadsheet is pasted into the grid, from the focused cell."""

import pytest

from reports.models import Report
from reports.spec import schema
from tests.conftest import login, screenshot
from tests.helpers import make_report, seed_001

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTE = """(text) => {
  const data = new DataTransfer();
  data.setData("text/plain", text);
  const init = { clipboardData: data, bubbles: true, cancelable: true };
  document.activeElement.dispatchEvent(new ClipboardEvent("paste", init));
}"""


def excel_block(rows: list[list[object]]) -> str:
    """What Excel and WPS put on the clipboard: TAB between cells, CRLF after rows."""
    return "".join("\t".join("" if v is None else str(v) for v in row) + "\r\n" for row in rows)


def test_a_pasted_25_by_6_block_lands_in_the_right_cells(page, alice, agencies):
    """Table 三 of seed 001 as it stands in a workbook: its 25 rows (the 总计 row of 办理结果
    included) by the six applicant columns, pasted into 自然人 of 本年新收."""
    report = make_report(agencies["office"], 2024)
    seed = seed_001()["applications"]
    rows = [r.key for r in schema.APPLICATION_ROWS]
    cols = [c.key for c in schema.APPLICANT_COLUMNS]
    assert (len(rows), len(cols)) == (25, 6)
    block = excel_block([[seed[r][c] for c in cols] for r in rows])

    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/applications/")
    page.focus("#cell-app_new_received_natural_person")
    page.evaluate(PASTE, block)

    status = page.locator("#paste-status")
    assert "已粘贴25行，填入144个单元格" in status.inner_text()
    assert "6个值落在自动计算的合计上" in status.inner_text()  # the 总计 row
    assert page.input_value("#cell-app_carried_forward_other") == str(
        seed["carried_forward"]["other"]
    )
    assert page.locator("#cell-app_handled_total_total").inner_text() == str(
        seed["handled_total"]["total"]
    )
    assert "✓" in page.locator("#balance-total").inner_text()
    page.locator("#autosave-status[data-state=saved]").wait_for()
    screenshot(page, "paste-25x6")
    assert Report.objects.get(pk=report.pk).figures()["applications"] == seed


def test_pasted_values_are_read_and_refused_like_typed_ones(page, alice, agencies):
    report = make_report(agencies["office"], 2024)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/review_litigation/")
    first = f"#{schema.cell('review_litigation', 'review', 'upheld').anchor}"
    page.focus(first)
    # Full-width digits and a thousands separator as typed; -1 and 1.5 are no counts;
    # 9 falls on the block's computed 总计, 7 goes on into the next block (行政诉讼).
    page.evaluate(PASTE, "２\t1,000\t-1\t1.5\t9\t7\n")
    status = page.locator("#paste-status").inner_text()
    assert "填入5个单元格" in status and "1个值落在自动计算的合计上" in status
    cells = [schema.cell("review_litigation", "review", k) for k in schema.REVIEW_PARTS]
    values = [page.input_value(f"#{c.anchor}") for c in cells]
    assert values == ["２", "1,000", "-1", "1.5"]
    invalid = [
        c.anchor for c in cells if "is-invalid" in page.get_attribute(f"#{c.anchor}", "class")
    ]
    assert invalid == [cells[2].anchor, cells[3].anchor]
    direct = schema.cell("review_litigation", "litigation_direct", "upheld")
    assert page.input_value(f"#{direct.anchor}") == "7"

    # Three values pasted into the last input of the row: the second falls on the
    # block's 总计, the third beyond the table.
    last = schema.cell("review_litigation", "litigation_after_review", "pending")
    page.focus(f"#{last.anchor}")
    page.evaluate(PASTE, "3\t4\t5")
    status = page.locator("#paste-status").inner_text()
    assert "填入1个单元格；1个值落在自动计算的合计上，未填入；1个值超出表格" in status

    page.locator("#autosave-status[data-state=partial]").wait_for()
    stored = Report.objects.get(pk=report.pk)
    assert [getattr(stored, c.field) for c in cells] == [2, 1000, None, None]
    assert (getattr(stored, direct.field), getattr(stored, last.field)) == (7, 3)
