"""Typed work is never lost: the editor autosaves, keeps refused values as typed and
warns before a page with unsaved input is left."""

import pytest

from reports.models import Report
from tests.conftest import login, screenshot
from tests.helpers import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_autosaved_value_survives_closing_the_tab(page, alice, agencies):
    report = make_report(agencies["office"], 2024)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/active_disclosure/")
    page.fill("#cell-ad_penalty", "9")
    status = page.locator("#autosave-status")
    status.get_by_text("已自动保存").wait_for()
    assert status.get_attribute("data-state") == "saved"
    screenshot(page, "autosave-saved")
    page.close()
    assert Report.objects.get(pk=report.pk).ad_penalty == 9


def test_clicking_another_section_right_after_typing_keeps_the_value(page, alice, agencies):
    """The issue's case: 行政处罚 = 9, then straight to section 三, before any delay."""
    report = make_report(agencies["office"], 2024)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/active_disclosure/")
    page.fill("#cell-ad_penalty", "9")
    page.click("#section-nav >> text=三、收到和处理政府信息公开申请情况")
    page.wait_for_url("**/edit/applications/")
    assert Report.objects.get(pk=report.pk).ad_penalty == 9


def test_a_refused_value_stays_as_typed_marked_and_the_page_warns_on_leaving(page, alice, agencies):
    report = make_report(agencies["office"], 2024, {"ad_licensing": 4})
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/active_disclosure/")
    page.fill("#cell-ad_licensing", "-3")
    page.fill("#cell-ad_penalty", "9")
    status = page.locator("#autosave-status[data-state=partial]")
    status.wait_for()
    assert "不能为负数" in status.inner_text()
    licensing = page.locator("#cell-ad_licensing")
    assert licensing.input_value() == "-3"
    assert "autosave-refused" in licensing.get_attribute("class")
    assert licensing.get_attribute("aria-invalid") == "true"
    screenshot(page, "autosave-refused")
    report.refresh_from_db()
    assert (report.ad_penalty, report.ad_licensing) == (9, 4)

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]


def test_a_change_by_someone_else_stops_the_autosave_without_overwriting(page, alice, agencies):
    report = make_report(agencies["office"], 2024)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/edit/active_disclosure/")
    # Meanwhile the same section is saved from elsewhere.
    other = Report.objects.get(pk=report.pk)
    other.ad_penalty = 5
    other.save()
    page.fill("#cell-ad_penalty", "9")
    status = page.locator("#autosave-status[data-state=stopped]")
    status.wait_for()
    assert "自动保存已暂停" in status.inner_text()
    assert page.input_value("#cell-ad_penalty") == "9"
    assert Report.objects.get(pk=report.pk).ad_penalty == 5
