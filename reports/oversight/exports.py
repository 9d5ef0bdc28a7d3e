"""Long exports as background jobs: the oversight office's workbook of many reports and
the ZIP of a year's published PDFs.

A request only creates an ``ExportJob`` and enqueues ``run_export_job`` on django-tasks
(database backend with ``manage.py db_worker``); the page polls the job's progress and
offers the file when it is done, so no request ever waits for the whole export.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import task
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from reports.io.xlsx import neutralise
from reports.models import Agency, ExportJob, JobKind, JobStatus, Report
from reports.oversight import dashboard, findings
from reports.oversight import rollup as rollups
from reports.oversight.xlsx import rollup_workbook, streamed_workbook
from reports.printing.pdf import report_pdf
from reports.spec import figures as fig
from reports.spec import schema

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 10  # rows between progress writes, at least (at most 100 writes)
# The columns before the cells: (key, header).
META_COLUMNS = (("agency", "机关"), ("year", "年度"), ("status", "状态"), ("title", "标题"))
Progress = Callable[[int], None]


def cell_key(c: schema.Cell) -> str:
    """The interchange path of a cell, e.g. applications.new_received.natural_person."""
    return ".".join(p for p in (c.table, c.row, c.col) if p)


def reports_for(kind: str, year: int, agency: Agency) -> QuerySet[Report]:
    """The workbook has a row for the current revision of each agency's report; the ZIP
    the published PDF of each (the one a correction under way has not yet replaced)."""
    reports = Report.objects.filter(year=year, agency__path__startswith=agency.path)
    reports = reports.current_published() if kind == JobKind.PDF_ZIP else reports.current()
    return reports.select_related("agency").order_by("agency__path", "pk")


def cell_header(c: schema.Cell) -> str:
    """A cell's column header: the template's label, totals marked as computed."""
    return c.label + ("（合计）" if c.derived else "")


def bulk_workbook(reports: Iterable[Report], progress: Progress = lambda n: None) -> bytes:
    """One row per report, one column per cell (totals included), plus agency, year,
    status and title, headed by the template's labels; a second sheet gives each
    column's key in the interchange format, for programs reading the workbook."""
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("汇总")
    sheet.append([*(label for _key, label in META_COLUMNS), *map(cell_header, schema.CELLS)])
    for n, report in enumerate(reports, 1):
        figures = report.figures()
        values = [fig.get(figures, c) for c in schema.CELLS]
        sheet.append(
            [
                neutralise(report.agency.name),
                report.year,
                report.get_status_display(),
                neutralise(report.title),
                *(
                    float(v) if c.kind == "fee" and v is not None else v
                    for c, v in zip(schema.CELLS, values, strict=True)
                ),
            ]
        )
        progress(n)
    legend = wb.create_sheet("字段说明")
    legend.append(["列", "列名", "键（JSON交换格式）"])
    columns = [*META_COLUMNS, *((cell_key(c), cell_header(c)) for c in schema.CELLS)]
    for n, (key, label) in enumerate(columns, 1):
        legend.append([get_column_letter(n), label, key])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def pdf_zip(reports: Iterable[Report], progress: Progress = lambda n: None) -> bytes:
    """The PDFs as published (stored on publication), each named after its report."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, report in enumerate(reports, 1):
            archive.writestr(report.filename("pdf"), report_pdf(report))
            progress(n)
    return buffer.getvalue()


BUILDERS = {JobKind.BULK_XLSX: (bulk_workbook, "xlsx"), JobKind.PDF_ZIP: (pdf_zip, "zip")}
# What the downloaded file is called, after the region and year it holds.
FILENAMES = {
    JobKind.BULK_XLSX: "{agency}{year}年度政府信息公开工作年度报告汇总表",
    JobKind.PDF_ZIP: "{agency}{year}年度政府信息公开工作年度报告PDF",
}


def start_job(
    kind: str, year: int, agency: Agency, user, params: dict[str, str] | None = None
) -> ExportJob:
    job = ExportJob.objects.create(
        kind=kind, year=year, agency=agency, requested_by=user, params=params or {}
    )
    # Enqueue after commit so that a worker never looks for a job not yet saved.
    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return job


Build = Callable[[Progress], bytes]


def _findings_export(job: ExportJob) -> tuple[int, Build, str]:
    """How many rows, how to write them, and the file's name: the region's findings
    as the findings page lists them with the job's filters, in the same layout as the
    XLSX written in the request."""
    filters = findings.Filters.from_query(job.params, job.year)
    total = findings.summary(job.agency, filters).listed(filters.triage)

    rows = findings.export_rows(job.agency, filters)
    build = _sheet(findings.export_sheet(filters.year), findings.EXPORT_HEADER, rows)
    return total, build, f"{findings.export_title(job.agency, filters)}.xlsx"


def _progress_export(job: ExportJob) -> tuple[int, Build, str]:
    """The oversight home's table of every agency's progress, with the job's filters
    and order, as its XLSX written in the request has it."""
    filters = dashboard.Filters.from_query(job.params, job.year)
    filters = replace(filters, year=job.year)
    within = None
    if filters.within is not None:
        within = dashboard.agencies_beneath(job.agency).filter(pk=filters.within).first()
    rows = dashboard.filtered_rows(job.agency, filters, timezone.localdate(), within)
    total = rows.count()

    data = dashboard.export_rows(rows, job.year)
    build = _sheet(dashboard.export_sheet(job.year), dashboard.EXPORT_HEADER, data)
    return total, build, f"{dashboard.export_title(job.agency, job.year)}.xlsx"


def _rollup_export(job: ExportJob) -> tuple[int, Build, str]:
    """The roll-up of the job's agency as its XLSX written in the request has it: the
    sums, then every agency included and missing (a province's 150,000 took 5 s and
    2.5 MiB to write), then the blank cells."""
    result = rollups.compute(job.year, job.agency)
    total = max(len(result.included), len(result.missing))
    return total, lambda progress: rollup_workbook(result, progress), f"{result.title}.xlsx"


def _sheet(title: str, header: list[str], rows: Iterable[list]) -> Build:
    """Writing ``rows`` (an iterator, read once) as one sheet, counting them."""

    def build(progress: Progress) -> bytes:
        def counted() -> Iterator[list]:
            for n, row in enumerate(rows, 1):
                yield row
                progress(n)

        return streamed_workbook(title, header, counted())

    return build


def _reports_export(job: ExportJob) -> tuple[int, Build, str]:
    """The workbook or the ZIP of the region's reports."""
    reports = list(reports_for(job.kind, job.year, job.agency))
    write, extension = BUILDERS[JobKind(job.kind)]
    name = FILENAMES[JobKind(job.kind)].format(agency=job.agency.name, year=job.year)
    return len(reports), lambda progress: write(reports, progress), f"{name}.{extension}"


@task()
def run_export_job(job_id: int) -> None:
    job = ExportJob.objects.select_related("agency").get(pk=job_id)
    if job.is_finished:
        return
    if job.kind == JobKind.FINDINGS_XLSX:
        total, build, filename = _findings_export(job)
    elif job.kind == JobKind.PROGRESS_XLSX:
        total, build, filename = _progress_export(job)
    elif job.kind == JobKind.ROLLUP_XLSX:
        total, build, filename = _rollup_export(job)
    else:
        total, build, filename = _reports_export(job)
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        total=total,
        progress=0,
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )

    step = max(PROGRESS_EVERY, total // 100)

    def progress(n: int) -> None:
        if n % step == 0 or n == total:
            ExportJob.objects.filter(pk=job.pk).update(progress=n, heartbeat_at=timezone.now())

    try:
        content = build(progress)
    except Exception as exc:  # the job records the failure instead of vanishing
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=f"导出时发生错误：{exc}", finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        error="",  # a note that an interrupted run was queued again
        progress=total,
        content=content,
        filename=filename,
        finished_at=timezone.now(),
    )
