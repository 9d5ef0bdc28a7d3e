"""An oversight officer follows the region in a real browser: status table, filters,
sorting, the roll-up and an agency's chart."""

from datetime import date

import pytest

from reports.models import Agency, Status
from tests.conftest import login, screenshot
from tests.helpers import import_seed, make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_oversight_officer_filters_the_region_and_opens_the_rollup(page, carol, agencies):
    office = import_seed(1, complete=True)
    office.status, office.published_on = Status.PUBLISHED, date(2024, 1, 20)
    office.save()
    bureau = Agency.objects.create(name="宁波市镇海区教育局", parent=agencies["zhenhai"])
    make_report(bureau, year=2023)
    login(page, carol)

    page.goto("/oversight/?year=2023")
    rows = page.locator("#oversight-table tbody tr")
    assert rows.count() == 3
    assert page.locator("#summary-complete").inner_text().startswith("1")
    assert page.locator("svg.chart").count() == 2
    screenshot(page, "oversight-home")

    page.select_option("#f-status", "draft")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**status=draft**")
    assert rows.count() == 1
    assert "宁波市镇海区教育局" in rows.first.inner_text()
    assert rows.first.locator(".findings-errors .badge").inner_text() != "0"

    page.goto("/oversight/?year=2023")
    page.click("a.sort-link[data-sort=status]")
    page.click("a.sort-link[data-sort=status]")  # again: reversed, 已发布 first
    page.wait_for_url("**sort=-status**")
    assert "宁波市镇海区人民政府办公室" in rows.first.inner_text()

    page.click("#link-rollup")
    page.wait_for_url("**/oversight/rollup/**")
    assert "2023年政府信息公开工作年度报告汇总" in page.locator("#rollup-title").inner_text()
    assert page.locator("#cell-app_new_received_total").inner_text() == "52"
    assert "宁波市镇海区金融发展服务中心" in page.locator("#missing").inner_text()
    screenshot(page, "oversight-rollup")

    page.goto(f"/oversight/agency/{agencies['office'].pk}/")
    assert page.locator("#agency-chart svg rect").count() >= 2
    screenshot(page, "oversight-agency-chart")
