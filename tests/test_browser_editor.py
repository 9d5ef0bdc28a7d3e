"""A clerk types into the matrix in a real browser and sees totals and the balance."""

import pytest

from reports.models import Report
from tests.conftest import login, screenshot
from tests.helpers import make_report, seed_001

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_types_seed_001_figures_and_sees_totals_and_balance(page, alice, agencies):
    report = make_report(agencies["office"], 2024)
    seed = seed_001()["applications"]
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/applications/")

    balance = page.locator("#balance-natural_person")
    page.fill("#cell-app_new_received_natural_person", "３６")  # full-width, as typed
    assert page.locator("#cell-app_new_received_total").inner_text() == "36"
    assert "相差36" in balance.inner_text()
    assert "unbalanced" in balance.get_attribute("class")

    # Type every detail cell; Enter moves down a column like a spreadsheet.
    page.click("#fill-zero")
    for row, values in seed.items():
        if row == "handled_total":
            continue
        for col, value in values.items():
            if col != "total" and value:
                page.fill(f"#cell-app_{row}_{col}", str(value))
    page.focus("#cell-app_new_received_commercial")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "cell-app_carried_over_commercial"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == "cell-app_carried_over_natural_person"

    for col, value in seed["handled_total"].items():
        assert page.locator(f"#cell-app_handled_total_{col}").inner_text() == str(value)
    assert page.locator("#cell-app_new_received_total").inner_text() == "52"
    assert "✓" in balance.inner_text()
    assert "balanced" in page.locator("#balance-total").get_attribute("class")
    screenshot(page, "editor-applications-seed-001")

    page.click("#save")
    page.wait_for_selector("text=已保存。")
    report.refresh_from_db()
    assert report.figures()["applications"] == seed

    page.reload()
    assert page.input_value("#cell-app_new_received_natural_person") == "36"
    assert page.locator("#cell-app_handled_total_total").inner_text() == "50"
    assert page.locator("#balance-total").inner_text().startswith("✓")


def test_refused_value_stays_in_the_form_with_its_message(page, alice, agencies):
    report = make_report(agencies["office"], 2024, {"app_granted_commercial": 8})
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/applications/")
    page.fill("#cell-app_granted_natural_person", "-3")
    page.fill("#cell-app_granted_commercial", "9")
    page.click("#save")
    errors = page.locator("#form-errors")
    assert "表三 （一）予以公开 · 自然人：不能为负数" in errors.inner_text()
    assert page.input_value("#cell-app_granted_natural_person") == "-3"
    assert page.input_value("#cell-app_granted_commercial") == "9"
    screenshot(page, "editor-refused-value")
    assert Report.objects.get(pk=report.pk).app_granted_commercial == 8


def test_a_decimal_fee_is_accepted_as_typed_and_a_decimal_count_is_marked(page, alice, agencies):
    from decimal import Decimal

    report = make_report(agencies["office"], 2024)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/active_disclosure/")
    fee = page.locator("#cell-ad_fees_10k_yuan")
    count = page.locator("#cell-ad_licensing")
    for typed in ("0.35", "12.5", "１２.５", "0.012345万元"):
        fee.fill(typed)
        assert "is-invalid" not in (fee.get_attribute("class") or ""), typed
    fee.fill("0.1234567")  # seven decimals: more than the fen
    assert "is-invalid" in fee.get_attribute("class")
    count.fill("0.5")
    assert "is-invalid" in count.get_attribute("class")
    count.fill("5")
    assert "is-invalid" not in count.get_attribute("class")
    fee.fill("12.5")
    page.click("#save")
    page.wait_for_selector("text=已保存。")
    report.refresh_from_db()
    assert report.ad_fees_10k_yuan == Decimal("12.5") and report.ad_licensing == 5
