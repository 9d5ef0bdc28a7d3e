"""A clerk sees how far each section is filled in, and it follows the autosave."""

import pytest

from reports.models import Report
from tests.conftest import login, screenshot
from tests.helpers import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_section_badge_and_completion_follow_the_autosave(page, alice, agencies):
    report = make_report(agencies["office"], 2024)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/problems/")
    badge = page.locator("#section-nav [data-page-state=problems]")
    assert badge.inner_text() == "未填"
    assert page.locator("#completion-percent").inner_text() == "0%"
    page.fill("#id_problems", "存在的问题是公开内容不够丰富，下一步将加以改进。")
    page.locator("#autosave-status[data-state=saved]").wait_for()
    assert badge.inner_text() == "已完成"
    assert page.locator("#completion-percent").inner_text() == "14%"  # 1 of 7 pages
    assert "7个部分中已完成1个" in page.locator("#completion-count").inner_text()
    screenshot(page, "progress-section-nav")
    assert Report.objects.get(pk=report.pk).completion == 14

    page.goto("/reports/")
    assert page.locator("#report-list td.report-completion").first.inner_text() == "14%"
