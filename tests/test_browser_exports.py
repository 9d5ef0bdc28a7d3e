"""In a real browser: importing a published report, and a background export's progress."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from reports.models import ExportJob, JobStatus, Report, Status
from tests.conftest import login, screenshot
from tests.helpers import import_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_imports_published_report_and_sees_findings(page, alice, agencies):
    login(page, alice)
    page.goto("/reports/")
    page.click("#import-published-link")
    seed = sorted(Path(django_settings.SEEDS_DIR).glob("*.txt"))[1]
    page.set_input_files("#id_file", str(seed))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-done")
    assert "R6" in page.inner_text("#import-findings")
    screenshot(page, "import-published-done")
    report = Report.objects.get(agency=alice.agency, year=2023)
    assert report.status == Status.DRAFT and report.app_new_received_natural_person == 36


def test_oversight_watches_export_progress_and_downloads(page, carol, agencies, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for index in (0, 1):
        import_seed(index)
    login(page, carol)
    page.click("#nav-exports")
    page.fill("#id_year", "2023")
    page.click("#export-form button[type=submit]")
    page.wait_for_selector("#export-status")
    assert "排队中" in page.inner_text("#export-status")
    screenshot(page, "export-queued")

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    page.wait_for_selector("#export-download:not(.d-none)")
    assert page.inner_text("#export-progress") == "100%"
    assert "（2/2）" in page.inner_text("#export-status")
    screenshot(page, "export-done")
    with page.expect_download() as info:
        page.click("#export-download")
    assert info.value.suggested_filename.endswith(".xlsx")
    assert ExportJob.objects.get().status == JobStatus.DONE
