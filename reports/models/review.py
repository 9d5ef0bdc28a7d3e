"""Review by cell: 批注 that a reviewer (or an oversight office sending a report back
for correction) attaches to a cell, a table or a narrative section, and the clerk
answers and marks 已处理.

Every step runs in one transaction on the locked report row, checks the actor
(``access``) and the report's state, and writes a ``ReportEvent``, so that the
report's record holds the whole conversation. What a 批注 is attached to is named the
way the template names it (``schema``): a page of the editor, and on it a cell, a
narrative field or, left blank, the whole table or section.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from reports.models import access
from reports.models.states import EventKind
from reports.models.workflow import ReportEvent, WorkflowError
from reports.spec import schema

MAX_BODY = 2000


class AnnotationStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已处理"


def page_label(page: str) -> str:
    return dict(schema.EDIT_PAGES)[page]


def _field_label(field: str) -> str:
    from reports.models.report import Report

    if field in schema.CELL_BY_FIELD:
        return schema.CELL_BY_FIELD[field].label
    if field in schema.NARRATIVE_BY_KEY:
        return schema.NARRATIVE_BY_KEY[field].label
    return str(getattr(Report._meta.get_field(field), "verbose_name", field))


@cache
def targets(page: str) -> tuple[tuple[str, str], ...]:
    """What a 批注 on an editing page may be attached to, as (field, label): the whole
    page ("" ), its narrative and other fields, then every cell of its table (totals
    included: a reviewer may question a total as well as its parts). From the template
    definition only, so built once per process (every editing page reads it)."""
    whole = "整个表" if page in schema.NOTE_KEYS else "本部分"
    choices = [("", f"{page_label(page)}（{whole}）")]
    fields = schema.page_fields(page)
    choices += [(f, _field_label(f)) for f in fields if f not in schema.CELL_BY_FIELD]
    if page in schema.NOTE_KEYS:
        choices += [(c.field, c.label) for c in schema.CELLS if c.table == page]
    return tuple(choices)


def _valid_target(page: str, field: str) -> bool:
    return page in schema.EDIT_PAGE_KEYS and field in {f for f, _ in targets(page)}


def annotated(page: str) -> models.Exists:
    """Whether a report (the outer query's row) has 批注 on editing page ``page``: the
    page asks for them, with their authors and answers, only then."""
    return models.Exists(Annotation.objects.filter(report=models.OuterRef("pk"), page=page))


def annotated_anywhere() -> models.Exists:
    """Whether a report (the outer query's row) has 批注 on any page: the report page
    lists them only then."""
    return models.Exists(Annotation.objects.filter(report=models.OuterRef("pk")))


class AnnotationQuerySet(models.QuerySet["Annotation"]):
    def open(self) -> AnnotationQuerySet:
        return self.filter(status=AnnotationStatus.OPEN)

    def with_thread(self) -> AnnotationQuerySet:
        """With their authors and answers, for a page that lists them (two queries)."""
        return self.select_related("author", "resolved_by").prefetch_related(
            models.Prefetch("replies", queryset=AnnotationReply.objects.select_related("author"))
        )


class Annotation(models.Model):
    """One 批注 on a report, and whether the clerk has dealt with it."""

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="annotations", verbose_name="报告"
    )
    page = models.CharField("部分", max_length=40)
    # A cell's or narrative field's name (``schema``); blank for the whole table/section.
    field = models.CharField("单元格或字段", max_length=80, blank=True)
    body = models.TextField("批注内容", max_length=MAX_BODY)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批注人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("批注时间", default=timezone.now)
    status = models.CharField(
        "状态", max_length=20, choices=AnnotationStatus.choices, default=AnnotationStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "批注"
        verbose_name_plural = "批注"
        indexes = [models.Index(fields=["report", "page"], name="annotation_report_page")]

    def __str__(self) -> str:
        return f"{self.target_label}：{self.body[:30]}"

    @property
    def target_label(self) -> str:
        if not self.field:
            return page_label(self.page)
        return _field_label(self.field)

    @property
    def is_open(self) -> bool:
        return self.status == AnnotationStatus.OPEN

    @property
    def anchor(self) -> str:
        return f"annotation-{self.pk}"

    # --- the steps ----------------------------------------------------------------

    @classmethod
    def attach(cls, report: Any, user: Any, page: str, field: str, body: str) -> Annotation:
        """A reviewer or oversight user attaches a 批注 to ``field`` of ``page``."""
        body = (body or "").strip()
        with transaction.atomic():
            report = _locked(report)
            if not access.can_annotate(user, report):
                raise WorkflowError(
                    "只有审核中的本机关审核人，或退回更正的上级主管部门可以添加批注。",
                    forbidden=True,
                )
            if not _valid_target(page, field):
                raise WorkflowError("请选择要批注的单元格、表格或部分。")
            if not body:
                raise WorkflowError("批注内容不能为空。")
            if len(body) > MAX_BODY:
                raise WorkflowError(f"批注内容不能超过{MAX_BODY}字。")
            annotation = cls.objects.create(
                report=report, page=page, field=field, body=body, author=user
            )
            annotation._record(report, user, EventKind.ANNOTATE, body)
            return annotation

    def answer(self, user: Any, body: str, resolve: bool = False) -> AnnotationReply | None:
        """The clerk (or the reviewer) answers; the clerk may mark it 已处理 at once."""
        body = (body or "").strip()
        with transaction.atomic():
            report = _locked(self.report)
            self.refresh_from_db()
            if not access.can_answer_annotation(user, report):
                raise WorkflowError("您不能答复本报告的批注。", forbidden=True)
            if not body and not resolve:
                raise WorkflowError("答复内容不能为空。")
            if len(body) > MAX_BODY:
                raise WorkflowError(f"答复内容不能超过{MAX_BODY}字。")
            reply = None
            if body:
                reply = AnnotationReply.objects.create(annotation=self, author=user, body=body)
                self._record(report, user, EventKind.ANSWER, body)
            if resolve:
                self._resolve(user, report)
            return reply

    def resolve(self, user: Any) -> None:
        with transaction.atomic():
            report = _locked(self.report)
            self.refresh_from_db()
            self._resolve(user, report)

    def _resolve(self, user: Any, report: Any) -> None:
        if not access.can_resolve_annotation(user, report):
            raise WorkflowError(
                "只有本机关的填报人可以在报告为草稿或已退回时将批注标记为已处理。",
                forbidden=True,
            )
        if not self.is_open:
            raise WorkflowError("该批注已标记为已处理。")
        self.status = AnnotationStatus.RESOLVED
        self.resolved_by = user
        self.resolved_at = timezone.now()
        self.save(update_fields=["status", "resolved_by", "resolved_at"])
        self._record(report, user, EventKind.RESOLVE, "")

    def reopen(self, user: Any, body: str = "") -> None:
        """The reviewer is not satisfied: the 批注 is open again, with a reason."""
        body = (body or "").strip()
        with transaction.atomic():
            report = _locked(self.report)
            self.refresh_from_db()
            if not access.can_annotate(user, report):
                raise WorkflowError("只有审核中的审核人可以重新打开批注。", forbidden=True)
            if self.is_open:
                raise WorkflowError("该批注尚未处理，无需重新打开。")
            if body:
                AnnotationReply.objects.create(annotation=self, author=user, body=body)
            self.status = AnnotationStatus.OPEN
            self.resolved_by = None
            self.resolved_at = None
            self.save(update_fields=["status", "resolved_by", "resolved_at"])
            self._record(report, user, EventKind.REOPEN, body)

    def _record(self, report: Any, user: Any, kind: str, text: str) -> None:
        status = report.status
        comment = f"{self.target_label}：{text}" if text else self.target_label
        ReportEvent.objects.create(
            report_id=self.report_id,
            kind=kind,
            actor=user,
            from_status=status,
            to_status=status,
            comment=comment,
        )


class AnnotationReply(models.Model):
    """An answer in the thread of a 批注."""

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="replies", verbose_name="批注"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("答复时间", default=timezone.now)
    body = models.TextField("答复内容", max_length=MAX_BODY)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "批注答复"
        verbose_name_plural = "批注答复"

    def __str__(self) -> str:
        return self.body[:30]


def _locked(report: Any) -> Any:
    """The report re-read under a row lock: the checks judge its state now."""
    return type(report).objects.select_for_update().select_related("agency").get(pk=report.pk)
