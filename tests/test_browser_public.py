"""The public site in a real browser: axe-core finds no critical or serious violation
on any public page at a phone's and a desktop's width, in either contrast mode; the
text size and the high-contrast mode a reader picks stay on the next page and visit."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from reports.models import Agency, Report, Status
from tests.conftest import screenshot
from tests.helpers import import_seed, make_report, nested_governments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)


@pytest.fixture
def published(db) -> list[Report]:
    """The five seeds, published (as load_demo has them), and one revised."""
    reports = []
    for index in range(5):
        report = import_seed(index, complete=True)
        Report.objects.filter(pk=report.pk).update(
            status=Status.PUBLISHED, signature_date=date(2024, 1, 10)
        )
        reports.append(report)
    Agency.objects.filter(name__endswith="人民政府").update(is_government=True)
    return reports


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.fixture
def region(published) -> Agency:
    """宁波市镇海区人民政府 above seeds 000 and 001, with a published 2022 report of the
    office, so that the 图解 has last year to compare with."""
    zhenhai = Agency.objects.create(name="宁波市镇海区人民政府", is_government=True)
    for report in published[:2]:
        report.agency.parent = zhenhai
        report.agency.save()
    last = make_report(
        published[1].agency,
        2022,
        figures={"app_new_received_natural_person": 30, "app_granted_natural_person": 12},
    )
    Report.objects.filter(pk=last.pk).update(status=Status.PUBLISHED)
    return zhenhai


@pytest.fixture
def public_pages(published, region) -> list[tuple[str, str]]:
    report = published[1]
    return [
        ("list", "/public/"),
        ("list-search", "/public/?agency=镇海&year=2023"),
        ("detail", f"/public/{report.pk}/"),
        ("detail-imported", f"/public/{published[3].pk}/"),
        ("regions", "/public/regions/"),
        ("region-year", f"/public/regions/{region.pk}/2023/"),
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_has_no_critical_or_serious_axe_violation(
    browser, live_server, public_pages, width
):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    try:
        for contrast in (False, True):
            for name, url in public_pages:
                page.goto(url)
                if contrast and page.get_attribute("#contrast-toggle", "aria-pressed") != "true":
                    page.click("#contrast-toggle")
                assert serious(page) == [], (name, width, contrast)
                suffix = "-contrast" if contrast else ""
                screenshot(page, f"public-{name}-{width}{suffix}")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_for_a_region_has_no_critical_or_serious_axe_violation(page, width):
    """Above thirty regions the list offers a text box: its matches and its message."""
    nested_governments(35)
    page.set_viewport_size({"width": width, "height": 900})
    for name, url in (("matches", "/public/?region_q=县"), ("none", "/public/?region_q=镇海")):
        page.goto(url)
        assert serious(page) == [], (name, width)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (name, width)
        screenshot(page, f"public-region-{name}-{width}")


def test_the_text_size_and_contrast_a_reader_picks_stay_on_the_next_page(page, published):
    page.goto("/public/")
    base = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("[data-text-size=larger]")
    page.click("#contrast-toggle")
    assert page.get_attribute("[data-text-size=larger]", "aria-pressed") == "true"

    page.click(f"a[href='/public/{published[1].pk}/']")
    page.wait_for_url(f"**/public/{published[1].pk}/")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size == pytest.approx(base * 1.375)
    assert page.evaluate("document.documentElement.classList.contains('high-contrast')")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    screenshot(page, "public-detail-larger-contrast")

    # Back to normal, and that too is kept.
    page.click("[data-text-size=normal]")
    page.click("#contrast-toggle")
    page.reload()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == base
    assert page.get_attribute("#contrast-toggle", "aria-pressed") == "false"


def test_the_reading_settings_and_the_search_work_from_the_keyboard(page, published):
    page.goto("/public/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.focus("#public-filter input[name=agency]")
    page.keyboard.type("硚口")
    page.keyboard.press("Enter")
    page.wait_for_url("**agency=*")
    rows = page.locator("#public-list tbody tr")
    assert rows.count() == 1
    assert "硚口区地方金融工作局" in rows.first.inner_text()
