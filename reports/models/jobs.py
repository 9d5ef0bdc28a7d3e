"""Background export jobs: what was asked, how far it got, and the file when done.

The file is kept in the database rather than under MEDIA_ROOT, so that it is only ever
handed out by a view that checks who asks for it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from reports.models import access


class JobKind(models.TextChoices):
    BULK_XLSX = "bulk_xlsx", "年度报告汇总表（XLSX）"
    PDF_ZIP = "pdf_zip", "已发布年度报告PDF打包（ZIP）"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def for_user(self, user: Any) -> ExportJobQuerySet:
        condition = access.export_jobs_filter(user)
        return self if condition is None else self.filter(condition)


class ExportJob(models.Model):
    kind = models.CharField("类型", max_length=20, choices=JobKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    agency = models.ForeignKey(
        "reports.Agency", verbose_name="机关（含下级）", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    status = models.CharField(
        "状态", max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.agency} {self.year}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
