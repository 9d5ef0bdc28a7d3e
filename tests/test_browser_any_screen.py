"""Every signed-in page at 390 and 1280 px: no sideways page scroll (wide tables scroll
in their own container), no list whose columns are squeezed to a character a line, and
no critical or serious axe-core violation."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from reports.models import Agency, Status
from tests.conftest import ARTIFACTS, login, screenshot
from tests.helpers import add_districts, import_seed, make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
SECTIONS = (
    "info",
    "general",
    "active_disclosure",
    "applications",
    "review_litigation",
    "problems",
    "other_matters",
)
AXE = Axe()

# Cells of text narrower than two characters: a list squeezed into a phone's width.
# The report's own tables (.table-report) keep the official layout, narrow columns of
# numbers under headings set a character a line, as the published reports have them.
SQUEEZED_CELLS = """() => [...document.querySelectorAll("td, th")].filter((cell) => {
  if (cell.closest(".table-report") || !cell.offsetParent) return false;
  const text = cell.innerText.trim();
  if ([...text].length < 3 || /^[\\d.,%\\s—-]+$/.test(text)) return false;
  const style = getComputedStyle(cell);
  const inner = cell.getBoundingClientRect().width
    - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return inner < 2 * parseFloat(style.fontSize);
}).map((cell) => cell.innerText.trim().slice(0, 12))"""


def problems_on(page, url: str, name: str) -> list[str]:
    """What is wrong with ``url`` at each width: sideways scroll, serious axe findings."""
    found = []
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            found.append(f"{url} @{width}: page {overflow}px wider than the viewport")
        squeezed = page.evaluate(SQUEEZED_CELLS)
        if squeezed:
            found.append(f"{url} @{width}: {len(squeezed)} cells squeezed: {squeezed[:4]}")
        results = AXE.run(page)
        for v in results.response["violations"]:
            if v["impact"] in ("critical", "serious"):
                nodes = "; ".join(n["target"][0] for n in v["nodes"][:4])
                found.append(f"{url} @{width}: {v['impact']} {v['id']} ({len(v['nodes'])}) {nodes}")
        screenshot(page, f"screen-{name}-{width}")
    return found


def report(found: list[str], name: str) -> list[str]:
    """Kept beside the screenshots, for people to read in full."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.txt").write_text("\n".join(found) + "\n", encoding="utf-8")
    return found


@pytest.fixture
def region(agencies):
    office = import_seed(1, complete=True)
    office.status, office.published_on = Status.PUBLISHED, date(2024, 1, 20)
    office.save()
    draft = make_report(agencies["office"], 2024, {"ad_penalty": 9})
    bureau = Agency.objects.create(name="宁波市镇海区教育局", parent=agencies["zhenhai"])
    make_report(bureau, 2023)
    return {"published": office, "draft": draft}


def test_the_clerks_pages_fit_a_phone_and_pass_axe(page, alice, region):
    draft, published = region["draft"], region["published"]
    login(page, alice)
    pages = {
        "home": "/",
        "list": "/reports/",
        "detail": f"/reports/{draft.pk}/",
        "preview": f"/reports/{draft.pk}/preview/",
        "published": f"/reports/{published.pk}/",
        "import": "/reports/import/",
        "history": f"/reports/{published.pk}/history/",
        "events": f"/reports/{published.pk}/events/",
        **{f"section-{s}": f"/reports/{draft.pk}/edit/{s}/" for s in SECTIONS},
    }
    found = [p for name, url in pages.items() for p in problems_on(page, url, f"clerk-{name}")]
    assert report(found, "clerk") == []


def test_the_reviewers_pages_fit_a_phone_and_pass_axe(page, alice, bob, region):
    submitted = region["draft"]
    submitted.problems = "存在的问题是公开内容不够丰富。"
    submitted.save()
    submitted.status = Status.SUBMITTED  # what the reviewer meets in the inbox
    submitted.save(update_fields=["status"])
    login(page, bob)
    pages = {
        "home": "/",
        "submitted": f"/reports/{submitted.pk}/",
        "preview": f"/reports/{submitted.pk}/preview/",
        "section": f"/reports/{submitted.pk}/edit/applications/",
    }
    found = [p for name, url in pages.items() for p in problems_on(page, url, f"reviewer-{name}")]
    assert report(found, "reviewer") == []


def test_the_oversight_pages_fit_a_phone_and_pass_axe(page, alice, bob, carol, region, agencies):
    # A correction published through the workflow: its page lists events of every kind.
    revision = region["published"].start_revision(alice)
    revision.submit(alice)
    revision.approve(bob)
    revision.publish(bob)
    login(page, carol)
    pages = {
        "home": "/",
        "oversight": "/oversight/?year=2023",
        "rollup": "/oversight/rollup/?year=2023",
        "agency": f"/oversight/agency/{agencies['office'].pk}/",
        "exports": "/reports/exports/",
        "import-batch": "/reports/import/batch/",
        "report": f"/reports/{region['published'].pk}/",
        "revised": f"/reports/{revision.pk}/",
        "findings": "/oversight/findings/?year=2023",
    }
    found = [p for name, url in pages.items() for p in problems_on(page, url, f"oversight-{name}")]
    assert report(found, "oversight") == []


def test_the_search_for_a_sub_region_fits_a_phone_and_passes_axe(page, carol, agencies):
    """Above thirty sub-regions the pages offer a text box: its matches, its message and
    the chosen region."""
    districts = add_districts(agencies["zhenhai"], 35)
    login(page, carol)
    pages = {
        "home-matches": "/oversight/?year=2023&within_q=街道",
        "home-chosen": f"/oversight/?year=2023&within={districts[6].pk}",
        "rollup-matches": "/oversight/rollup/?year=2023&parent_q=第1",
        "findings-none": "/oversight/findings/?year=2023&within_q=北仑",
    }
    found = [p for name, url in pages.items() for p in problems_on(page, url, f"picker-{name}")]
    assert report(found, "picker") == []


def test_section_four_fits_a_1280px_screen_without_scrolling(page, alice, region):
    """The issue saw the 15-column grid of 四 scroll sideways even at 1280 px."""
    login(page, alice)
    page.set_viewport_size(WIDTHS["laptop"])
    page.goto(f"/reports/{region['draft'].pk}/edit/review_litigation/")
    box = page.locator("#table-review_litigation").locator("xpath=..")
    assert box.evaluate("e => e.scrollWidth - e.clientWidth") <= 0
    screenshot(page, "section-four-1280")
