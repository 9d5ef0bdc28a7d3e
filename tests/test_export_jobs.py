"""Background exports: the oversight workbook of many reports and the PDF ZIP."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Agency, ExportJob, JobKind, JobStatus, Report, Status, StoredFinding
from reports.oversight import exports
from reports.oversight.exports import bulk_workbook, reports_for
from reports.spec import figures as fig
from reports.spec import schema
from tests.helpers import import_seed, load_seed

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EXPORTS = reverse("reports:exports")


@pytest.fixture
def seeded(agencies):
    """All five seeds for 2023: two of them (000 finance, 001 office) under zhenhai."""
    reports = [import_seed(i) for i in range(5)]
    for report in reports[:2]:
        report.status = Status.PUBLISHED
        report.save()
    return reports


def start(client, kind=JobKind.BULK_XLSX, year=2023, agency=None, callbacks=None):
    data = {"kind": kind, "year": year, "agency": agency.pk}
    with callbacks(execute=True):
        return client.post(EXPORTS, data)


@pytest.mark.django_db
def test_oversight_workbook_has_one_row_per_report_of_the_subtree(
    client, carol, seeded, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    client.force_login(carol)
    response = start(client, agency=carol.agency, callbacks=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert job.status == JobStatus.DONE and job.progress == job.total == 2
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    workbook = load_workbook(io.BytesIO(download.getvalue()))
    rows = list(workbook["汇总"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("机关", "年度", "状态", "标题")
    assert len(header) == 4 + len(schema.CELLS)
    # Chinese labels of the template head the columns; the keys are on 字段说明.
    assert "表三 （一）予以公开 · 自然人" in header
    assert not [h for h in header if h.isascii()]
    legend = list(workbook["字段说明"].values)
    key_of = {label: key for _col, label, key in legend[1:]}
    assert key_of["机关"] == "agency"
    assert key_of["表三 （一）予以公开 · 自然人"] == "applications.granted.natural_person"
    by_agency = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_agency) == {"宁波市镇海区金融发展服务中心", "宁波市镇海区人民政府办公室"}
    office = by_agency["宁波市镇海区人民政府办公室"]
    seed = load_seed(1)
    for c in schema.CELLS:
        expected = fig.get(seed, c)
        got = office[exports.cell_header(c)]
        assert (str(got) if c.kind == "fee" else got) == (expected if c.kind != "fee" else "0"), c
    assert office["状态"] == "已发布" and office["年度"] == 2023


# The worker closes its database connections after each task, as in production: only a
# transactional test survives that.
@pytest.mark.django_db(transaction=True)
def test_job_waits_in_the_queue_until_the_worker_runs_it(
    client, carol, seeded, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    client.force_login(carol)
    start(client, agency=carol.agency, callbacks=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == JobStatus.QUEUED
    page = client.get(reverse("reports:export_job", args=[job.pk])).getvalue().decode()
    assert 'id="export-progress"' in page and "排队中" in page
    status = client.get(reverse("reports:export_status", args=[job.pk])).json()
    assert status["status"] == "queued" and status["download"] is None

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    status = client.get(reverse("reports:export_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100
    assert status["download"] == reverse("reports:export_download", args=[job.pk])


@pytest.mark.django_db
def test_pdf_zip_holds_the_published_reports_only(
    client, carol, seeded, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    # The PDF renderer is another module's work; this stands in for it and records
    # which reports it was asked for.
    rendered: list[int] = []

    def report_pdf(report) -> bytes:
        rendered.append(report.pk)
        return b"%PDF-1.7 " + report.title.encode()

    monkeypatch.setattr(exports, "report_pdf", report_pdf)
    seeded[1].status = Status.DRAFT
    seeded[1].save()
    client.force_login(carol)
    start(
        client, JobKind.PDF_ZIP, agency=carol.agency, callbacks=django_capture_on_commit_callbacks
    )
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.getvalue()))
    assert archive.namelist() == [load_seed(0)["title"] + ".pdf"]
    assert rendered == [seeded[0].pk]


@pytest.mark.django_db
def test_failed_job_says_why(
    client, carol, seeded, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE

    def broken(report) -> bytes:
        raise OSError("磁盘已满")

    monkeypatch.setattr(exports, "report_pdf", broken)
    client.force_login(carol)
    start(
        client, JobKind.PDF_ZIP, agency=carol.agency, callbacks=django_capture_on_commit_callbacks
    )
    job = ExportJob.objects.get()
    assert job.status == JobStatus.FAILED and "导出时发生错误：磁盘已满" in job.error
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_oversight_cannot_export_outside_its_subtree(client, carol, seeded, agencies):
    client.force_login(carol)
    response = client.post(
        EXPORTS, {"kind": JobKind.BULK_XLSX, "year": 2023, "agency": agencies["weidong"].pk}
    )
    assert response.status_code == 400
    assert ExportJob.objects.count() == 0


@pytest.mark.django_db
def test_clerks_and_reviewers_cannot_export(client, alice, bob):
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(EXPORTS).status_code == 403
        assert client.post(EXPORTS, {"kind": "bulk_xlsx", "year": 2023}).status_code == 403
    assert ExportJob.objects.count() == 0


@pytest.mark.django_db
def test_other_users_cannot_see_or_download_a_job(client, carol, mallory, agencies):
    job = ExportJob.objects.create(
        kind=JobKind.BULK_XLSX,
        year=2023,
        agency=agencies["zhenhai"],
        requested_by=carol,
        status=JobStatus.DONE,
        content=b"x",
        filename="bulk_xlsx-1-2023.xlsx",
    )
    client.force_login(mallory)
    for name in ("export_job", "export_status", "export_download"):
        assert client.get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404
    client.force_login(carol)
    assert client.post(reverse("reports:export_download", args=[job.pk])).status_code == 405
    assert client.get(reverse("reports:export_download", args=[job.pk])).getvalue() == b"x"


@pytest.mark.django_db
def test_exports_page_lists_jobs_with_few_queries(
    client, carol, agencies, django_assert_max_num_queries
):
    for year in range(2015, 2025):
        ExportJob.objects.create(
            kind=JobKind.BULK_XLSX, year=year, agency=agencies["zhenhai"], requested_by=carol
        )
    client.force_login(carol)
    with django_assert_max_num_queries(8):
        response = client.get(EXPORTS)
    assert response.status_code == 200
    assert response.getvalue().decode().count("查看进度") == 10


@pytest.mark.django_db
def test_bulk_workbook_quotes_names_that_look_like_formulas(agencies):
    from tests.helpers import make_report

    agency = Agency.objects.create(name='=HYPERLINK("http://x")', parent=agencies["zhenhai"])
    make_report(agency, 2023)
    data = bulk_workbook(reports_for(JobKind.BULK_XLSX, 2023, agencies["zhenhai"]))
    rows = list(load_workbook(io.BytesIO(data))["汇总"].iter_rows(values_only=True))
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][3].startswith("'=")
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_the_exports_choice_lists_the_offices_with_agencies_beneath_but_takes_any(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    for n in range(30):
        Agency.objects.create(name=f"宁波市镇海区第{n}局", parent=agencies["zhenhai"])
    client.force_login(carol)
    page = client.get(EXPORTS).getvalue().decode()
    assert "宁波市镇海区人民政府</option>" in page
    assert "宁波市镇海区第7局" not in page and "宁波市镇海区人民政府办公室</option>" not in page
    # A department chosen by other means (an earlier job's link) is still accepted.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            EXPORTS, {"kind": JobKind.BULK_XLSX, "year": 2023, "agency": agencies["office"].pk}
        )
    assert response.status_code == 302
    assert ExportJob.objects.get().agency == agencies["office"]


@pytest.mark.django_db
def test_the_exports_page_starts_an_export_of_the_regions_open_findings(
    client, carol, seeded, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    client.force_login(carol)
    start(
        client,
        kind=JobKind.FINDINGS_XLSX,
        agency=carol.agency,
        callbacks=django_capture_on_commit_callbacks,
    )
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    assert job.filename == "宁波市镇海区人民政府2023年度报告检查发现（待处理）.xlsx"
    rows = list(load_workbook(io.BytesIO(bytes(job.content))).active.iter_rows(values_only=True))
    assert rows[0] == ("机关", "规则", "级别", "问题", "状态", "标记理由")
    open_findings = StoredFinding.objects.filter(
        report__agency__path__startswith=carol.agency.path, report__year=2023, triage="open"
    )
    assert len(rows) - 1 == job.total == open_findings.count() > 0
    assert {r[4] for r in rows[1:]} == {"待处理"}
