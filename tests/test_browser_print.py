"""A clerk downloads the finished report as PDF and HTML from the report page."""

import pytest

from tests import pdf_checks
from tests.conftest import login, screenshot
from tests.seed_text import import_printable_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_clicks_download_pdf_and_gets_the_official_layout(page, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = import_printable_seed(1)
    login(page, alice)
    page.goto(f"/reports/{report.pk}/")
    screenshot(page, "print-report-page-buttons")

    with page.expect_download() as download_info:
        page.click("#download-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    data = open(download.path(), "rb").read()
    texts = pdf_checks.page_texts(data)
    assert "宁波市镇海区人民政府办公室" in texts[0]
    assert "2024年1月10日" in texts[-1]

    with page.expect_download() as download_info:
        page.click("#download-html")
    html = open(download_info.value.path(), encoding="utf-8").read()
    assert report.title in html

    # The HTML download opened in the browser shows the print layout.
    page.set_content(html)
    assert page.locator("h1.gw-title").inner_text().replace("\n", "") == report.title
    screenshot(page, "print-html-download")
