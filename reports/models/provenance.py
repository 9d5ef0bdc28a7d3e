"""Where an imported report's figures came from: the import log and each cell's state.

An import (a published report, a workbook, a JSON file) writes an ``ImportLog`` with one
``ImportedCell`` per cell of the template: read from the source, blank in it, or in
doubt (a value whose column the source did not show, a published total that disagrees
with its parts), with the cell as published and any note it carried
(``22（其中修订16件）``). The report page and the section editor show them, so that a
clerk checks the cells before the report feeds next year's carry-over (R7), in-force
count (R11) and copied-text check (R12); a clerk's confirmation, or a changed value,
clears the doubt.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from reports.spec import schema


class CellState(models.TextChoices):
    READ = "read", "取自原文"
    BLANK = "blank", "原文空白"
    DOUBTFUL = "doubtful", "存疑"
    CONFIRMED = "confirmed", "已核对"


# The states a clerk still has to look at.
TO_CHECK = (CellState.BLANK, CellState.DOUBTFUL)


class ImportLog(models.Model):
    report = models.ForeignKey(
        "reports.Report",
        verbose_name="年度报告",
        on_delete=models.CASCADE,
        related_name="import_logs",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=255, blank=True)
    kind = models.CharField("文件类型", max_length=20, blank=True)
    source_title = models.CharField("原文标题", max_length=300, blank=True)
    # The section headings as the source wrote them (None: not found).
    headings = models.JSONField("原文标题层次", default=list, blank=True)
    # What the reader flagged and what the rules found in the figures as published
    # (``Finding.as_dict``): kept with the import, whatever is edited afterwards.
    notes = models.JSONField("读取说明", default=list, blank=True)
    findings = models.JSONField("原文检查结果", default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"

    def __str__(self) -> str:
        return f"{self.filename or self.kind} → {self.report_id}"

    def cells_by_field(self) -> dict[str, ImportedCell]:
        return {c.field: c for c in self.cells.all()}

    def state_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(CellState.values, 0)
        for row in self.cells.values("state").annotate(n=models.Count("pk")):
            counts[row["state"]] = row["n"]
        return counts

    def to_check(self) -> models.QuerySet[ImportedCell]:
        return self.cells.filter(state__in=TO_CHECK)

    def confirm(self, user: Any, fields: list[str] | None = None) -> int:
        """Mark the cells in doubt or blank as checked by ``user`` (those of ``fields``
        only, when given); returns how many."""
        cells = self.to_check()
        if fields is not None:
            cells = cells.filter(field__in=fields)
        return cells.update(
            state=CellState.CONFIRMED, confirmed_by=user, confirmed_at=timezone.now()
        )


class ImportedCell(models.Model):
    log = models.ForeignKey(ImportLog, on_delete=models.CASCADE, related_name="cells")
    field = models.CharField("单元格", max_length=80)
    state = models.CharField("状态", max_length=20, choices=CellState.choices)
    published = models.CharField("原文", max_length=200, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("核对时间", null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "导入单元格"
        verbose_name_plural = "导入单元格"
        constraints = [
            models.UniqueConstraint(fields=["log", "field"], name="one_imported_cell_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.get_state_display()}"

    @property
    def cell(self) -> schema.Cell:
        return schema.CELL_BY_FIELD[self.field]

    @property
    def label(self) -> str:
        return self.cell.label

    @property
    def css(self) -> str:
        return f"src-{self.state}"


def latest_log(report: Any) -> ImportLog | None:
    return ImportLog.objects.filter(report=report).first()


def imported() -> models.Exists:
    """Whether a report (the outer query's row) came from an import: a page that
    shows the import's cells asks for its log only then."""
    return models.Exists(ImportLog.objects.filter(report=models.OuterRef("pk")))


def confirm_changed(report: Any, fields: list[str], user: Any) -> None:
    """A clerk who changed an imported cell has checked it."""
    cell_fields = [f for f in fields if f in schema.CELL_BY_FIELD]
    # ``imported``: read with the row (``imported()``), a report typed in has no log.
    if not cell_fields or not getattr(report, "imported", True):
        return
    log = latest_log(report)
    if log is not None:
        with transaction.atomic():
            log.confirm(user, cell_fields)
