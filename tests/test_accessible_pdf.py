"""The accessible copy of a published report: a PDF/UA-1 file, identified as such in its
XMP metadata, tagged (title and headings, tables with header cells, in reading order),
in Chinese and showing its title, offered on the public page beside the stored PDF/A-3b
archive, which stays as it was. WeasyPrint writes one identification per file, so the
two are separate files of the same page."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from reports.models import Report
from reports.printing import pdf
from tests import pdf_checks
from tests.helpers import make_report, published_report
from tests.test_tagged_pdf import HEADINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(alice, bob, settings, tmp_path, django_capture_on_commit_callbacks) -> Report:
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        published = published_report(alice, bob)
    published.refresh_from_db()
    return published


def xmp_of(data: bytes) -> str:
    root = pdf_checks.reader(data).trailer["/Root"]
    return root["/Metadata"].get_object().get_data().decode()


def test_the_public_accessible_download_is_pdf_ua_1_in_chinese_showing_its_title(client, report):
    response = client.get(reverse("public:pdf_ua", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert unquote(response["Content-Disposition"]).endswith(f"{report.title}（无障碍版）.pdf")
    data = response.getvalue()
    xmp = xmp_of(data)
    assert re.search(r'pdfuaid:part(="|>)1', xmp)
    assert "pdfaid" not in xmp  # one identification per file
    root = pdf_checks.reader(data).trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert report.title in xmp  # dc:title, which the viewer shows


def test_its_structure_tree_holds_the_title_headings_and_table_headers_in_order(client, report):
    data = client.get(reverse("public:pdf_ua", args=[report.pk])).getvalue()
    elements, _ = pdf_checks.tagged_elements(data)
    assert [pdf_checks.squeeze(e.text) for e in elements if e.type == "H1"] == [report.title]
    assert [pdf_checks.squeeze(e.text) for e in elements if e.type == "H2"] == HEADINGS
    header_cells = {
        pdf_checks.squeeze(e.text) for e in elements if e.type == "TH" and "THead" in e.ancestors
    }
    assert {"自然人", "商业企业", "总计"} <= header_cells
    row_labels = {pdf_checks.squeeze(e.text) for e in elements if e.type == "TH"}
    assert "一、本年新收政府信息公开申请数量" in row_labels


def test_the_stored_archive_stays_pdf_a_3b_and_both_hold_the_same_text(client, report):
    archive = client.get(reverse("public:pdf", args=[report.pk])).getvalue()
    with report.published_pdf.open("rb") as f:
        assert f.read() == archive
    assert re.search(r'pdfaid:part(="|>)3', xmp_of(archive))
    assert "pdfuaid" not in xmp_of(archive)
    accessible = client.get(reverse("public:pdf_ua", args=[report.pk])).getvalue()
    assert pdf_checks.page_texts(accessible) == pdf_checks.page_texts(archive)


def test_the_report_page_offers_both_pdfs(client, report):
    page = client.get(reverse("public:detail", args=[report.pk])).getvalue().decode()
    assert f'href="{reverse("public:pdf", args=[report.pk])}"' in page
    assert f'href="{reverse("public:pdf_ua", args=[report.pk])}"' in page


def test_a_draft_has_no_accessible_copy_for_anyone_and_post_is_refused(
    client, report, agencies, mallory
):
    draft = make_report(agencies["finance"], 2023)
    assert client.get(reverse("public:pdf_ua", args=[draft.pk])).status_code == 404
    with pytest.raises(ValueError):
        pdf.accessible_pdf(draft)
    client.force_login(mallory)
    assert client.get(reverse("public:pdf_ua", args=[draft.pk])).status_code == 404
    assert client.get(reverse("public:pdf_ua", args=[report.pk])).status_code == 200
    assert client.post(reverse("public:pdf_ua", args=[report.pk])).status_code == 405
    report.refresh_from_db()
    assert report.status == "published"


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.parametrize("prerender", [True, False])
def test_after_publication_the_worker_puts_the_accessible_copy_in_the_store(
    client, alice, bob, settings, tmp_path, django_capture_on_commit_callbacks, prerender
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRINT_PDF_CACHE = tmp_path / "pdf"
    settings.PRINT_PDF_PRERENDER = prerender
    settings.TASKS = IMMEDIATE  # the worker's task runs as soon as the publication commits
    with django_capture_on_commit_callbacks(execute=True):
        report = published_report(alice, bob)
    response = client.get(reverse("public:pdf_ua", args=[report.pk]))
    assert response["X-PDF-Source"] == ("stored" if prerender else "rendered")
    # Either way the second reader is served from the store.
    again = client.get(reverse("public:pdf_ua", args=[report.pk]))
    assert again["X-PDF-Source"] == "stored"
    assert again.getvalue() == response.getvalue()
