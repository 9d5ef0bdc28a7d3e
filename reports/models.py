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

from . import schema


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


class Report(models.Model):
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
        ordering = ["-year", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_report_per_agency_year")
        ]

    def __str__(self) -> str:
        return self.title

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
        if self.is_editable:
            return ""
        return f"本报告状态为“{self.get_status_display()}”，不能修改。"

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

        return check(self.document())

    def create_standard_sections(self) -> None:
        GeneralSection.objects.bulk_create(
            GeneralSection(report=self, position=i, heading=h)
            for i, h in enumerate(schema.STANDARD_GENERAL_HEADINGS)
        )

    @property
    def deadline(self) -> date:
        # 31 January for a department, 31 March for a government-wide report.
        return date(self.year + 1, 3 if self.agency.is_government else 1, 31)


for _c in schema.STORED_CELLS:
    Report.add_to_class(_c.field, _cell_field(_c))


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
    return report
