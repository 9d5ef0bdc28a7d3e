"""Background jobs: exports (what was asked, how far it got, and the file when done)
and batch imports of published reports (the files, and what became of each).

Files are kept in the database rather than under MEDIA_ROOT, so that they are only ever
handed out by a view that checks who asks for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from reports.models import access


class JobKind(models.TextChoices):
    BULK_XLSX = "bulk_xlsx", "年度报告汇总表（XLSX）"
    PDF_ZIP = "pdf_zip", "已发布年度报告PDF打包（ZIP）"
    FINDINGS_XLSX = "findings_xlsx", "年度报告检查发现（XLSX）"
    PROGRESS_XLSX = "progress_xlsx", "年度报告进度（XLSX）"
    ROLLUP_XLSX = "rollup_xlsx", "年度报告统计汇总（XLSX）"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


def stale_after() -> timedelta:
    """How long a running job may go without a sign of life from its worker."""
    return timedelta(seconds=settings.JOB_STALE_SECONDS)


class JobQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> JobQuerySet:
        """The jobs a user may watch: their own (``access.export_jobs_filter``)."""
        condition = access.export_jobs_filter(user)
        return self if condition is None else self.filter(condition)

    def stale(self, now: datetime | None = None) -> JobQuerySet:
        """Running jobs whose worker stopped writing its heartbeat (killed, or its
        machine gone): django-tasks' database backend has no heartbeat of its own."""
        cutoff = (now or timezone.now()) - stale_after()
        return self.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)


ExportJobQuerySet = JobQuerySet


class BackgroundJob(models.Model):
    """What every background job records: its state and how far it got."""

    year = models.PositiveSmallIntegerField("年度")
    agency = models.ForeignKey(
        "reports.Agency", verbose_name="机关（含下级）", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the worker when it starts and with every progress step.
    heartbeat_at = models.DateTimeField("最近运行记录", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)

    objects = JobQuerySet.as_manager()

    # A job whose worker died is run again once; after that it fails with a message.
    MAX_ATTEMPTS = 2

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def is_stale(self, now: datetime | None = None) -> bool:
        return (
            self.status == JobStatus.RUNNING
            and self.heartbeat_at is not None
            and self.heartbeat_at < (now or timezone.now()) - stale_after()
        )

    def recover(self, enqueue: Callable[[int], object]) -> None:
        """A stale job is queued again through ``enqueue`` (its task) or, after
        MAX_ATTEMPTS runs, failed; either way the person watching it is told why."""
        with transaction.atomic():
            job = type(self).objects.select_for_update().get(pk=self.pk)
            if job.is_stale():
                now = timezone.now()
                at = timezone.localtime(now).strftime("%H:%M")
                if job.attempts < self.MAX_ATTEMPTS:
                    job.status = JobStatus.QUEUED
                    job.error = f"处理进程意外停止，已于{at}自动重新排队。"
                    job.heartbeat_at = None
                    transaction.on_commit(lambda: enqueue(job.pk))
                else:
                    job.status = JobStatus.FAILED
                    job.error = f"处理进程意外停止，已运行{job.attempts}次仍未完成，请重新提交。"
                    job.finished_at = now
                job.save(update_fields=["status", "error", "heartbeat_at", "finished_at"])
        self.refresh_from_db()


class ExportJob(BackgroundJob):
    kind = models.CharField("类型", max_length=20, choices=JobKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    # What else the export was narrowed to, as the page's query string has it (the
    # findings' rule, severity and status; the progress table's filters and order);
    # empty for the other kinds.
    params = models.JSONField("筛选条件", default=dict, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.agency} {self.year}"


class ImportJob(BackgroundJob):
    """An oversight office's batch import of its departments' published reports for one
    year; ``agency`` is the office, whose subtree the files are matched to."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = "批量导入任务"
        verbose_name_plural = "批量导入任务"

    def __str__(self) -> str:
        return f"批量导入 {self.agency} {self.year}"

    def outcome_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(FileStatus.values, 0)
        for row in self.files.values("status").annotate(n=models.Count("pk")):
            counts[row["status"]] = row["n"]
        return counts


class FileStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    IMPORTED = "imported", "已导入"
    TO_CHECK = "to_check", "已导入，有待核对项"
    REFUSED = "refused", "未导入"
    NEEDS_AGENCY = "needs_agency", "待确认机关"


class ImportFile(models.Model):
    """One file of a batch import and what became of it."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField("文件名", max_length=255)
    # Kept until the file is imported, so that a file waiting for its agency can be
    # imported once someone chooses it.
    content = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(
        "结果", max_length=20, choices=FileStatus.choices, default=FileStatus.PENDING
    )
    message = models.TextField("说明", blank=True)
    title = models.CharField("原文标题", max_length=300, blank=True)
    agency_name = models.CharField("标题中的机关", max_length=200, blank=True)
    agency = models.ForeignKey(
        "reports.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    candidates = models.ManyToManyField("reports.Agency", blank=True, related_name="+")
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    findings_count = models.PositiveIntegerField("检查结果数", default=0)
    to_check_count = models.PositiveIntegerField("待核对单元格数", default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "批量导入文件"
        verbose_name_plural = "批量导入文件"

    def __str__(self) -> str:
        return self.name
