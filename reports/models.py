"""Agencies, their users and their annual reports.

The report's figures are one nullable column per stored cell of the template
(``schema.STORED_CELLS``): the database can then sum a region's reports in a single
aggregate query, and every cell has a type the database enforces. Totals are never
stored; ``Report.figures()`` derives them.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.urls import reverse
from simple_history import register as register_history
from simple_history.utils import bulk_create_with_history

from . import schema
from .workflow import EventKind, ReportEvent, WorkflowError, WorkflowMixin  # noqa: F401


class Agency(models.Model):
    """An administrative agency. Agencies form a tree (a government above its
    departments); ``path`` materialises the ancestry so a subtree is one prefix query."""

    name = models.CharField("机关名称", max_length=200, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_government = models.BooleanField(
        "人民政府（发布本级政府年度报告）",
        default=False,
        help_text="一级政府的年度报告截止日期为次年3月31日，部门为1月31日。",
    )
    path = models.CharField(max_length=1000, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = "机关"
        verbose_name_plural = "机关"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs = {}
            old_path = self.path
            self.path = self._compute_path()
            if self.parent_id and self.pk in self._ancestor_ids():
                raise ValueError("an agency cannot be its own ancestor")
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Moving an agency moves its subtree.
                for child in self.children.all():
                    child.save()

    def _compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"

    def _ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def subtree(self) -> models.QuerySet[Agency]:
        """This agency and every agency beneath it."""
        return Agency.objects.filter(path__startswith=self.path)


class Role(models.TextChoices):
    CLERK = "clerk", "填报人"
    REVIEWER = "reviewer", "审核人"
    OVERSIGHT = "oversight", "主管部门"


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency,
        verbose_name="所属机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.CLERK and self.agency_id is not None


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"
    PUBLISHED = "published", "已发布"


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportQuerySet:
        """Reports a signed-in user may open: their agency's, and for an oversight user
        every agency beneath theirs. Nobody else sees an unpublished report."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.agency_id is None:
            return self.none()
        if user.role == Role.OVERSIGHT:
            return self.filter(agency__path__startswith=user.agency.path)
        return self.filter(agency_id=user.agency_id)

    def editable(self) -> ReportQuerySet:
        return self.filter(status__in=EDITABLE_STATUSES)

    def published(self) -> ReportQuerySet:
        """What anybody may read without logging in: published reports, every revision."""
        return self.filter(status=Status.PUBLISHED)

    def current_published(self) -> ReportQuerySet:
        """The newest published revision of each agency and year."""
        newer = Report.objects.filter(
            agency_id=models.OuterRef("agency_id"),
            year=models.OuterRef("year"),
            status=Status.PUBLISHED,
            revision__gt=models.OuterRef("revision"),
        )
        return self.published().exclude(models.Exists(newer))


def _cell_field(c: schema.Cell) -> models.Field:
    if c.kind == "fee":
        return models.DecimalField(
            c.label,
            max_digits=schema.FEE_MAX_DIGITS,
            decimal_places=schema.FEE_DECIMAL_PLACES,
            null=True,
            blank=True,
        )
    return models.PositiveIntegerField(
        c.label, null=True, blank=True, validators=[MaxValueValidator(schema.MAX_COUNT)]
    )


class Report(WorkflowMixin, models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=300)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    opening = models.TextField("开头段落", blank=True)
    active_disclosure_note = models.TextField("第二部分说明", blank=True)
    applications_note = models.TextField("第三部分说明", blank=True)
    review_litigation_note = models.TextField("第四部分说明", blank=True)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True)
    signature_agency = models.CharField("落款机关", max_length=200, blank=True)
    signature_date = models.DateField("落款日期", null=True, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    # 0 for the first version; a correction of a published report is a new revision.
    revision = models.PositiveSmallIntegerField("修订版本", default=0, editable=False)
    # Optimistic locking: bumped by every save; a form carries the version it was
    # rendered from and a stale save is refused (see reports/history.py).
    version = models.PositiveIntegerField("版本号", default=0, editable=False)
    # Kept up to date by reports.finding_counts; null until first computed.
    error_count = models.PositiveIntegerField("错误数", null=True, blank=True, editable=False)
    warning_count = models.PositiveIntegerField("警告数", null=True, blank=True, editable=False)
    blank_count = models.PositiveIntegerField("空白单元格数", null=True, blank=True, editable=False)
    # Rendered once as PDF/A-3b when the report is published (reports.pdf), so the
    # published PDF never changes afterwards.
    published_pdf = models.FileField(
        "发布版PDF", upload_to="published/", blank=True, editable=False
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "agency__name", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "revision"], name="one_report_per_agency_year_revision"
            )
        ]
        indexes = [
            # The roll-up lists who left cells blank: a few drafts among thousands.
            models.Index(
                fields=["year"],
                condition=models.Q(blank_count__isnull=True) | models.Q(blank_count__gt=0),
                name="report_with_blank_cells",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.version = (self.version or 0) + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def can_edit(self, user) -> bool:
        return (
            self.is_editable
            and user.is_authenticated
            and user.role == Role.CLERK
            and user.agency_id == self.agency_id
        )

    def locked_reason(self) -> str:
        """Why the report cannot be edited and who can unlock it."""
        if self.is_editable:
            return ""
        why = f"本报告状态为“{self.get_status_display()}”，不能修改。"
        if self.status == Status.SUBMITTED:
            return why + "本机关审核人可以将其退回后由填报人修改。"
        if self.status == Status.APPROVED:
            return why + "已审核的报告等待本机关审核人发布，发布后只能通过修订更正。"
        return (
            why + "已发布的报告不再改动；如需更正，由本机关填报人发起修订，"
            "或由上级主管部门退回更正，修订稿经审核发布后替代本版本。"
        )

    # --- figures ------------------------------------------------------------------

    def figures(self) -> schema.Figures:
        """The three tables as nested dicts keyed like the JSON format, totals derived."""
        figures = schema.empty_figures()
        for c in schema.STORED_CELLS:
            schema.put(figures, c, getattr(self, c.field))
        return schema.derive_totals(figures)

    def set_figures(self, figures: schema.Figures) -> None:
        """Copy the detail cells of ``figures`` onto the model; totals are ignored."""
        for c in schema.STORED_CELLS:
            setattr(self, c.field, schema.get(figures, c))

    def document(self) -> dict:
        """The report in the interchange structure that the rules and exports read."""
        from .codec import report_to_doc

        return report_to_doc(self)

    def findings(self) -> list:
        from .rules import check

        return check(self.document(), self.rule_context())

    def previous_document(self) -> dict | None:
        """What the cross-year rules (R7, R11, R12) read of the same agency's report of
        the year before, in the document structure: its carried-forward row, its
        现行有效件数, and the narrative of sections 一 and 五. Two narrow queries; the
        previous report's other 140 columns are never loaded."""
        cells = [
            c
            for c in schema.STORED_CELLS
            if c.row == "carried_forward"
            or (c.table == "active_disclosure" and c.col == "in_force")
        ]
        row = (
            Report.objects.filter(agency_id=self.agency_id, year=self.year - 1)
            .values("pk", "year", "problems", *(c.field for c in cells))
            .first()
        )
        if row is None:
            return None
        figures = schema.empty_figures()
        for c in cells:
            schema.put(figures, c, row[c.field])
        general = GeneralSection.objects.filter(report_id=row["pk"]).values("heading", "body")
        return {
            "year": row["year"],
            **schema.derive_totals(figures),
            "sections": {"general": list(general), "problems": row["problems"]},
        }

    def rule_context(self):
        """What the cross-year rules compare with: two queries at most."""
        from .rules import Context

        return Context(previous=self.previous_document())

    def create_standard_sections(self) -> None:
        # With history rows, so that the section history and conflict checks see them.
        bulk_create_with_history(
            [
                GeneralSection(report=self, position=i, heading=h)
                for i, h in enumerate(schema.STANDARD_GENERAL_HEADINGS)
            ],
            GeneralSection,
        )

    @property
    def deadline(self) -> date:
        # 31 January for a department, 31 March for a government-wide report (R13).
        from .rules_history import deadline_for

        return deadline_for(self.year, self.agency.is_government)


for _c in schema.STORED_CELLS:
    Report.add_to_class(_c.field, _cell_field(_c))

# Registered after the cell columns exist, so that the history has one column per cell.
# Derived counts are not history: they follow from the content that is.
register_history(
    Report,
    excluded_fields=["updated_at", "error_count", "warning_count", "blank_count", "published_pdf"],
)


class GeneralSection(models.Model):
    """A sub-section of 一、总体情况: ordered and extensible."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="general")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    heading = models.CharField("小标题", max_length=200)
    body = models.TextField("正文", blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "总体情况小节"
        verbose_name_plural = "总体情况小节"

    def __str__(self) -> str:
        return self.heading


register_history(GeneralSection)


def start_report(agency: Agency, year: int, created_by: User | None = None) -> Report:
    """A new draft with the standard sub-sections of 一 and the signature prefilled."""
    with transaction.atomic():
        report = Report.objects.create(
            agency=agency,
            year=year,
            title=schema.title_for(agency.name, year),
            signature_agency=agency.name,
            created_by=created_by,
        )
        report.create_standard_sections()
        from .finding_counts import refresh
        from .newyear import prefill_from_previous

        # What was carried over from last year's report, for the page to say so.
        report.prefilled = prefill_from_previous(report)
        # The sections were bulk-created after the save: count again with them.
        refresh(report)
    return report


# Background export jobs live in their own module; imported here so Django finds them.
from .models_jobs import ExportJob  # noqa: E402, F401
