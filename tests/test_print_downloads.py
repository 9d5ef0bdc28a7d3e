"""Downloading the print layout: the PDF and HTML views, export_report, and the PDF
stored once when a report is published."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.models import Report, Status
from reports.printing import pdf
from tests import pdf_checks
from tests.seed_text import import_printable_seed


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def report(agencies) -> Report:
    """Seed 001, which belongs to alice's agency 宁波市镇海区人民政府办公室."""
    report = import_printable_seed(1)
    assert report.agency == agencies["office"]
    return report


def _published(report: Report) -> Report:
    Report.objects.filter(pk=report.pk).update(status=Status.PUBLISHED)
    report.refresh_from_db()
    return report


def _login(client, user):
    client.force_login(user)


def test_clerk_downloads_the_pdf_of_her_agencys_report(
    client, alice, report, django_assert_max_num_queries
):
    _login(client, alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    data = response.getvalue()
    assert data.startswith(b"%PDF")
    assert pdf_checks.reader(data).metadata.title == report.title
    report.refresh_from_db()
    assert not report.published_pdf  # a draft's download stores nothing


def test_oversight_downloads_the_pdf_of_a_report_beneath_her(client, carol, report):
    _login(client, carol)
    response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")


def test_outsider_cannot_download_the_pdf(client, mallory, report):
    _login(client, mallory)
    assert client.get(reverse("reports:pdf", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:html", args=[report.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_login_for_a_download(client, report):
    response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_downloads_refuse_post(client, alice, report):
    _login(client, alice)
    assert client.post(reverse("reports:pdf", args=[report.pk])).status_code == 405
    assert client.post(reverse("reports:html", args=[report.pk])).status_code == 405
    report.refresh_from_db()
    assert not report.published_pdf


def test_clerk_downloads_the_print_html(client, alice, report, django_assert_max_num_queries):
    Report.objects.filter(pk=report.pk).update(problems="<b>加粗</b>不应生效")
    _login(client, alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reports:html", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.getvalue().decode()
    assert "宁波市镇海区人民政府办公室" in body and "2024年1月10日" in body
    assert "&lt;b&gt;加粗&lt;/b&gt;不应生效" in body


def test_report_page_offers_pdf_and_html_downloads(client, alice, report):
    _login(client, alice)
    body = client.get(reverse("reports:detail", args=[report.pk])).getvalue().decode()
    assert reverse("reports:pdf", args=[report.pk]) in body
    assert reverse("reports:html", args=[report.pk]) in body
    assert "下载PDF" in body


def test_publishing_stores_a_pdfa_once_and_every_download_is_byte_identical(client, alice, report):
    _published(report)
    pdf.store_published_pdf(report)
    report.refresh_from_db()
    assert report.published_pdf.name.startswith("published/")
    stored = report.published_pdf.read()
    report.published_pdf.close()

    reader = pdf_checks.reader(stored)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    assert reader.trailer["/Root"]["/OutputIntents"]  # PDF/A needs its colour profile
    assert reader.metadata.author == "宁波市镇海区人民政府办公室"

    # Whatever changes later, the published PDF does not.
    Report.objects.filter(pk=report.pk).update(title="改过的标题", problems="改过的内容")
    _login(client, alice)
    first = client.get(reverse("reports:pdf", args=[report.pk])).getvalue()
    second = client.get(reverse("reports:pdf", args=[report.pk])).getvalue()
    assert first == second == stored


def test_storing_the_published_pdf_again_never_re_renders(report, monkeypatch):
    _published(report)
    first = pdf.store_published_pdf(report)
    name = first.published_pdf.name

    def no_render(*args, **kwargs):
        raise AssertionError("re-rendered a stored published PDF")

    monkeypatch.setattr(pdf, "render_pdf", no_render)
    again = pdf.store_published_pdf(Report.objects.get(pk=report.pk))
    assert again.published_pdf.name == name
    assert Report.objects.get(pk=report.pk).published_pdf.name == name


def test_an_unpublished_report_gets_no_stored_pdf(report):
    with pytest.raises(ValueError):
        pdf.store_published_pdf(report)
    assert not Report.objects.get(pk=report.pk).published_pdf


def test_export_report_writes_html_and_pdf(report, tmp_path):
    out_pdf, out_html = tmp_path / "r.pdf", tmp_path / "r.html"
    call_command("export_report", report.pk, format="pdf", output=out_pdf, stdout=io.StringIO())
    call_command("export_report", report.pk, format="html", output=out_html, stdout=io.StringIO())
    data = out_pdf.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(pdf_checks.page_texts(data))
    assert "三、收到和处理政府信息公开申请情况" in text
    html = out_html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and report.title in html


def test_export_report_of_a_published_report_writes_the_stored_pdf(report, tmp_path):
    _published(report)
    stored = pdf.store_published_pdf(report)
    out = tmp_path / "p.pdf"
    call_command("export_report", report.pk, format="pdf", output=out, stdout=io.StringIO())
    with stored.published_pdf.open("rb") as f:
        assert out.read_bytes() == f.read()


def test_an_unchanged_report_is_served_from_the_pdf_cache_and_a_change_renders_anew(
    report, monkeypatch, settings, tmp_path
):
    settings.PRINT_PDF_CACHE = tmp_path / "cache"
    first = pdf.render_pdf(report)
    real_render = pdf._render_pdf_now
    renders: list[str] = []

    def counting(html, variant):
        renders.append(html)
        return real_render(html, variant)

    monkeypatch.setattr(pdf, "_render_pdf_now", counting)
    assert pdf.render_pdf(Report.objects.get(pk=report.pk)) == first
    assert renders == []

    Report.objects.filter(pk=report.pk).update(problems="新的问题说明。")
    changed = pdf.render_pdf(Report.objects.get(pk=report.pk))
    assert len(renders) == 1
    assert "新的问题说明。" in "".join(pdf_checks.page_texts(changed))


def test_the_pdf_cache_keeps_only_the_newest_files(report, settings, tmp_path):
    settings.PRINT_PDF_CACHE = tmp_path / "cache"
    settings.PRINT_PDF_CACHE_SIZE = 1
    pdf.render_pdf(report)
    Report.objects.filter(pk=report.pk).update(problems="第二版。")
    pdf.render_pdf(Report.objects.get(pk=report.pk))
    cached = list(settings.PRINT_PDF_CACHE.glob("*.pdf"))
    assert len(cached) == 1
    assert "第二版。" in "".join(pdf_checks.page_texts(cached[0].read_bytes()))


def test_a_report_published_without_its_pdf_gets_it_stored_on_first_download(client, bob, report):
    _published(report)
    assert not report.published_pdf
    _login(client, bob)
    first = client.get(reverse("reports:pdf", args=[report.pk])).getvalue()
    stored = Report.objects.get(pk=report.pk)
    assert stored.published_pdf
    Report.objects.filter(pk=report.pk).update(problems="发布后改动。")
    second = client.get(reverse("reports:pdf", args=[report.pk])).getvalue()
    with stored.published_pdf.open("rb") as f:
        assert first == second == f.read()


def test_publishing_through_the_workflow_stores_the_pdfa_once_committed(
    alice, bob, report, django_capture_on_commit_callbacks
):
    report.submit(alice)
    report.approve(bob)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report.publish(bob)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.published_pdf.name.startswith("published/")
    with report.published_pdf.open("rb") as f:
        reader = pdf_checks.reader(f.read())
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp)


def test_anonymous_visitor_downloads_the_stored_pdf_from_the_public_page(client, report):
    _published(report)
    pdf.store_published_pdf(report)
    report.refresh_from_db()
    with report.published_pdf.open("rb") as f:
        stored = f.read()
    page = client.get(reverse("public:detail", args=[report.pk])).getvalue().decode()
    assert reverse("public:pdf", args=[report.pk]) in page
    first = client.get(reverse("public:pdf", args=[report.pk]))
    second = client.get(reverse("public:pdf", args=[report.pk]))
    assert first["Content-Type"] == "application/pdf"
    assert first.getvalue() == second.getvalue() == stored
    assert client.post(reverse("public:pdf", args=[report.pk])).status_code == 405


def test_an_unpublished_report_has_no_public_pdf(client, report):
    assert client.get(reverse("public:pdf", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert not report.published_pdf
