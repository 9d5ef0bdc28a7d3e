"""PDFs ready before they are asked for: after a save the task worker renders the
report's PDF into the store, a burst of saves is rendered once, and the download is
served from the store when the newest version is ready, rendered in the request when
it is not."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reports.models import Report, Status
from reports.printing import pdf
from tests import pdf_checks
from tests.seed_text import import_printable_seed

pytestmark = pytest.mark.django_db(transaction=True)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def store(settings, tmp_path) -> Path:
    """Prerendering on, into a store of this test's own."""
    settings.PRINT_PDF_PRERENDER = True
    settings.PRINT_PDF_PRERENDER_DELAY = 0
    settings.PRINT_PDF_CACHE = tmp_path / "pdf"
    return tmp_path / "pdf"


def stored_pdfs(store: Path) -> int:
    return len(list(store.glob("*.pdf")))


def save_problems(client, report: Report, text: str):
    version = Report.objects.get(pk=report.pk).version
    url = reverse("reports:section", args=[report.pk, "problems"])
    response = client.post(url, {"problems": text, "version": version})
    assert response.status_code == 302
    return response


def download(client, report: Report):
    response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200
    return response["X-PDF-Source"], response.getvalue()


def test_a_save_has_the_worker_render_the_pdf_so_the_download_is_served_from_the_store(
    client, alice, agencies, store, settings
):
    report = import_printable_seed(1)
    settings.TASKS = IMMEDIATE  # the worker's task runs as soon as the save commits
    client.force_login(alice)
    save_problems(client, report, "本年度存在的主要问题是公开内容更新不够及时。")
    assert stored_pdfs(store) == 1
    source, body = download(client, report)
    assert source == "stored"
    # The very PDF the request would have rendered, with the text just saved.
    settings.PRINT_PDF_CACHE_SIZE = 0
    assert body == pdf.render_pdf(Report.objects.get(pk=report.pk))


def test_a_burst_of_saves_is_rendered_once_for_the_newest_version(
    client, alice, agencies, store, settings
):
    report = import_printable_seed(1)
    settings.TASKS = DATABASE
    client.force_login(alice)
    for i in range(3):
        save_problems(client, report, f"第{i + 1}次保存的问题与整改措施。")
    # One task per save: the import's and the clerk's three.
    assert DBTaskResult.objects.count() == 4
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    # Three tasks found a newer version and stopped; one rendered.
    results = sorted(r.return_value for r in DBTaskResult.objects.all())
    assert results == [False, False, False, True]
    assert stored_pdfs(store) == 1
    source, body = download(client, report)
    assert source == "stored"
    assert "第3次保存的问题与整改措施" in "".join(pdf_checks.page_texts(body))


def test_a_deliberate_save_is_rendered_at_once_while_an_autosave_waits_for_more_saves(
    client, alice, agencies, store, settings
):
    report = import_printable_seed(1)
    settings.TASKS = DATABASE
    settings.PRINT_PDF_PRERENDER_DELAY = 3600
    DBTaskResult.objects.all().delete()
    client.force_login(alice)
    version = Report.objects.get(pk=report.pk).version
    autosave = reverse("reports:autosave", args=[report.pk, "problems"])
    assert client.post(autosave, {"problems": "自动保存的草稿。", "version": version}).json()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert stored_pdfs(store) == 0  # the autosave's task is not due yet
    save_problems(client, report, "保存本部分后的问题与整改措施。")
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert stored_pdfs(store) == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the autosave's
    source, body = download(client, report)
    assert source == "stored"
    assert "保存本部分后的问题与整改措施" in "".join(pdf_checks.page_texts(body))


def test_a_download_before_the_worker_is_done_renders_in_the_request(
    client, alice, agencies, store, settings
):
    report = import_printable_seed(1)
    settings.TASKS = DATABASE
    client.force_login(alice)
    save_problems(client, report, "保存后立即下载。")
    assert stored_pdfs(store) == 0  # the task waits for the worker
    source, _ = download(client, report)
    assert source == "rendered"
    # The next download of the unchanged report comes from the store.
    assert download(client, report)[0] == "stored"


def test_published_reports_and_switched_off_prerendering_enqueue_nothing(
    client, alice, agencies, store, settings
):
    report = import_printable_seed(1)
    settings.TASKS = DATABASE
    DBTaskResult.objects.all().delete()
    Report.objects.filter(pk=report.pk).update(status=Status.PUBLISHED)
    published = Report.objects.get(pk=report.pk)
    published.save()
    assert DBTaskResult.objects.count() == 0
    settings.PRINT_PDF_PRERENDER = False
    client.force_login(alice)
    draft = import_printable_seed(2)
    draft.save()
    assert DBTaskResult.objects.count() == 0


def test_pdf_download_is_refused_to_outsiders_and_other_methods(
    client, alice, mallory, agencies, store, settings
):
    report = import_printable_seed(1)
    client.force_login(mallory)
    assert client.get(reverse("reports:pdf", args=[report.pk])).status_code == 404
    client.force_login(alice)
    assert client.post(reverse("reports:pdf", args=[report.pk])).status_code == 405
    assert stored_pdfs(store) == 0
