"""The annual report: its cells, its narrative, its revisions.

The figures are one nullable column per stored cell of the template
(``schema.STORED_CELLS``) and the narrative one text column per ``schema.NARRATIVE``
field: the database can then sum a region's reports in a single aggregate query, and
every cell has a type the database enforces. Totals are never stored;
``Report.figures()`` derives them.

A published report is never changed again; a correction is a new revision (a copy one
``revision`` higher). Of each agency's reports for a year exactly one is *current*,
the newest revision, and every figure that sums, counts or lists reports reads
``Report.objects.current()``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete
from django.urls import reverse
from simple_history import register as register_history

from reports import rules
from reports.models import access
from reports.models.agency import Agency, User
from reports.models.states import EDITABLE_STATUSES, RETURN_KINDS, Progress, Status
from reports.models.workflow import ReportEvent, WorkflowMixin
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.calendar import days_late, deadline_for


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        """Reports a signed-in user may open (``access.report_filter``)."""
        condition = access.report_filter(user)
        return self if condition is None else self.filter(condition)

    def current(self) -> ReportQuerySet:
        """The newest revision of each agency and year: what every aggregate reads."""
        return self.filter(is_current=True)

    def editable(self) -> ReportQuerySet:
        return self.filter(status__in=EDITABLE_STATUSES)

    def published(self) -> ReportQuerySet:
        """What anybody may read without logging in: published reports, every revision."""
        return self.filter(status=Status.PUBLISHED)

    def current_published(self) -> ReportQuerySet:
        """The newest published revision of each agency and year: the current one once
        published, the one it corrects while a correction is under way."""
        newer = Report.objects.filter(
            agency_id=models.OuterRef("agency_id"),
            year=models.OuterRef("year"),
            status=Status.PUBLISHED,
            revision__gt=models.OuterRef("revision"),
        )
        return self.published().exclude(models.Exists(newer))

    def listed_after(self, pk: int) -> ReportQuerySet:
        """The reports after report ``pk`` in ``LIST_ORDER``, none if it is not among
        these: keyset paging, so that a page deep in a province's list costs what the
        first one costs (no OFFSET over the pages before)."""
        last = self.filter(pk=pk).values("year", "agency__name", "revision").first()
        if last is None:
            return self.none()
        year, name, revision = last["year"], last["agency__name"], last["revision"]
        return self.filter(
            models.Q(year__lt=year)
            | models.Q(year=year, agency__name__gt=name)
            | models.Q(year=year, agency__name=name, revision__lt=revision)
            | models.Q(year=year, agency__name=name, revision=revision, pk__gt=pk)
        )

    def with_return_comment(self) -> ReportQuerySet:
        """Each report with the comment it was last returned with (for lists)."""
        last_return = ReportEvent.objects.filter(
            report_id=models.OuterRef("pk"), kind__in=RETURN_KINDS
        ).order_by("-at", "-pk")
        return self.annotate(last_return_comment=models.Subquery(last_return.values("comment")[:1]))


# The report list's order: the newest year first, agencies by name, the newest
# revision first (``ReportQuerySet.listed_after`` pages through it).
LIST_ORDER = ("-year", "agency__name", "-revision", "pk")


def progress(prefix: str = "") -> models.Expression:
    """The ``Progress`` of a report as SQL; ``prefix`` is the path from the queried
    model to the report (``"yr__"`` on the dashboard's agency query)."""
    return models.Case(
        models.When(**{f"{prefix}id__isnull": True}, then=models.Value(Progress.NOT_STARTED)),
        models.When(
            models.Q(**{f"{prefix}revision__gt": 0})
            & ~models.Q(**{f"{prefix}status": Status.PUBLISHED}),
            then=models.Value(Progress.REVISING),
        ),
        default=models.F(f"{prefix}status"),
        output_field=models.CharField(),
    )


def report_progress(report: Report) -> str:
    """``progress()`` of a report in hand (regions' shares, ``reports.models.shares``)."""
    if report.revision > 0 and report.status != Status.PUBLISHED:
        return Progress.REVISING
    return report.status


def report_first_publication(report: Report) -> date | None:
    """``first_publication()`` of a report in hand."""
    return report.first_published_on or report.published_on


def first_publication(prefix: str = "") -> models.Expression:
    """When the agency's report for the year first came out, as SQL: recorded by the
    first publication, else (reports loaded from before this system) the publication
    date itself."""
    return Coalesce(
        models.F(f"{prefix}first_published_on"),
        models.F(f"{prefix}published_on"),
        output_field=models.DateField(),
    )


def new_received_total() -> Any:
    """本年新收 over the six applicant columns, blank as 0, as SQL (the region chart
    orders by it; an index holds it)."""
    terms = [
        Coalesce(
            models.F(schema.cell("applications", "new_received", c.key).field),
            0,
            output_field=models.IntegerField(),
        )
        for c in schema.APPLICANT_COLUMNS
    ]
    expression: Any = terms[0]
    for term in terms[1:]:
        expression = expression + term
    return expression


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
    signature_agency = models.CharField("落款机关", max_length=200, blank=True)
    signature_date = models.DateField("落款日期", null=True, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    # When the agency's report for the year was first published: a correction is not
    # late for being published after the deadline (R13, the oversight dashboard).
    first_published_on = models.DateField("首次发布日期", null=True, blank=True, editable=False)
    # 0 for the first version; a correction of a published report is a new revision.
    revision = models.PositiveSmallIntegerField("修订版本", default=0, editable=False)
    # The newest revision of the agency's report for the year; kept by the revision
    # transition, one per agency and year (a constraint), read by ``current()``.
    is_current = models.BooleanField("当前版本", default=True, editable=False)
    # Optimistic locking: bumped by every save; a form carries the version it was
    # rendered from and a stale save is refused (see reports.models.history).
    version = models.PositiveIntegerField("版本号", default=0, editable=False)
    # Kept up to date by reports.models.counts; null until first computed.
    error_count = models.PositiveIntegerField("错误数", null=True, blank=True, editable=False)
    warning_count = models.PositiveIntegerField("警告数", null=True, blank=True, editable=False)
    blank_count = models.PositiveIntegerField("空白单元格数", null=True, blank=True, editable=False)
    # The share of the editing pages filled in without error (rules.progress).
    completion = models.PositiveSmallIntegerField("完成度", null=True, blank=True, editable=False)
    # Rendered once as PDF/A-3b when this revision is published (reports.printing.pdf),
    # so the published PDF never changes afterwards. Never copied to a revision.
    published_pdf = models.FileField(
        "发布版PDF", upload_to="published/", blank=True, editable=False
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()
    if TYPE_CHECKING:
        history: Any  # django-simple-history's manager, added by register_history

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "agency__name", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "revision"], name="one_report_per_agency_year_revision"
            ),
            models.UniqueConstraint(
                fields=["agency", "year"],
                condition=models.Q(is_current=True),
                name="one_current_revision_per_agency_year",
            ),
        ]
        indexes = [
            # A region's agencies with the most new applications (the oversight home's
            # chart): read down this index for the year until enough are in the region,
            # instead of sorting the year's 150,000 reports (bench/oversight.py).
            models.Index(
                "year",
                new_received_total().desc(),
                condition=models.Q(is_current=True),
                name="report_new_received",
            ),
            # The public list's years (``catalogue.published_years``) and when it last
            # changed (its ETag): an index probe each, not a read of every published
            # report.
            models.Index(fields=["status", "year"], name="report_status_year"),
            models.Index(fields=["status", "updated_at"], name="report_status_updated"),
            # The roll-up lists who left cells blank: a few drafts among thousands.
            models.Index(
                fields=["year"],
                condition=models.Q(blank_count__isnull=True) | models.Q(blank_count__gt=0),
                name="report_with_blank_cells",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.version = (self.version or 0) + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The row's columns, in the order ``from_row`` takes them."""
        return tuple(f.attname for f in cls._meta.concrete_fields)

    @classmethod
    def from_row(cls, row: tuple[Any, ...], flags: tuple[str, ...] = ()) -> Report:
        """A report from a ``values_list`` row of ``columns()`` and then ``flags``
        (what a page read with it, set as attributes): the rows of SQL compiled once
        (``models.prepared``)."""
        columns = cls.columns()
        report = cls.from_db(cls.objects.db, columns, row[: len(columns)])
        for name, value in zip(flags, row[len(columns) :], strict=True):
            setattr(report, name, value)
        return report

    def filename(self, extension: str) -> str:
        """What a download of this report is called: its title, as agencies name the
        file they publish (``宁波市镇海区人民政府办公室2024年政府信息公开工作年度报告.pdf``)."""
        name = self.title.strip() or schema.title_for(self.agency.name, self.year)
        return f"{_safe_filename(name)}.{extension}"

    # --- who may change it ----------------------------------------------------------

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def can_edit(self, user: Any) -> bool:
        return access.can_edit(user, self)

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

    # --- content ------------------------------------------------------------------

    @classmethod
    def content_fields(cls) -> tuple[str, ...]:
        """The columns that make up what the report says: title, narrative, closing
        block and the stored cells. A revision copies exactly these; nothing derived
        (counts, the published PDF) and nothing of the workflow."""
        return (
            "title",
            *schema.NARRATIVE_KEYS,
            "signature_agency",
            "signature_date",
            *(c.field for c in schema.STORED_CELLS),
        )

    def figures(self) -> fig.Figures:
        """The three tables as nested dicts keyed like the JSON format, totals derived."""
        figures = fig.empty()
        for c in schema.STORED_CELLS:
            fig.put(figures, c, getattr(self, c.field))
        return fig.derive_totals(figures)

    def set_figures(self, figures: fig.Figures) -> None:
        """Copy the detail cells of ``figures`` onto the model; totals are ignored."""
        for c in schema.STORED_CELLS:
            setattr(self, c.field, fig.get(figures, c))

    def document(self, general: list[dict] | None = None) -> dict:
        """The report in the interchange structure (SPEC §4) that the rules, the
        renderers and the JSON codec read; ``general``, its sub-sections of 一 when
        they have been read already (``read_for_rules``)."""
        doc: dict = {"agency": self.agency.name, "year": self.year, "title": self.title}
        doc.update(self.figures())
        if general is None:
            general = [{"heading": s.heading, "body": s.body} for s in self.general.all()]
        doc["sections"] = {
            "general": general,
            **{key: getattr(self, key) for key in schema.NARRATIVE_KEYS},
        }
        doc["signature"] = {"agency": self.signature_agency, "date": self.signature_date}
        # For R13 (lateness); not part of the interchange format, so codec.to_json
        # leaves them out.
        doc["published_on"] = self.first_published_on or self.published_on
        doc["is_government"] = self.agency.is_government
        return doc

    def findings(self) -> list[rules.Finding]:
        _, findings, _ = self.assessment()
        return findings

    def assess(
        self, reading: tuple[list[dict], rules.Context] | None = None
    ) -> tuple[list[rules.Finding], rules.Progress]:
        """The findings, and how far each editing page is filled in, from one reading
        of the report (``reading``, when the caller has it already)."""
        _, findings, progress = self.assessment(reading)
        return findings, progress

    def assessment(
        self, reading: tuple[list[dict], rules.Context] | None = None
    ) -> tuple[dict, list[rules.Finding], rules.Progress]:
        """``assess()`` with the document it read, which triage digests the findings'
        cells from."""
        general, context = self.read_for_rules() if reading is None else reading
        doc = self.document(general)
        findings = rules.check(doc, context)
        return doc, findings, rules.progress_of(doc, findings)

    def read_for_rules(self) -> tuple[list[dict], rules.Context]:
        """Its sub-sections of 一 and what the cross-year and cross-agency rules
        compare it with, in two queries (``comparison.read``)."""
        # comparison reads other reports through this module's models.
        from reports.models import comparison

        return comparison.read(self)

    def rule_context(self) -> rules.Context:
        """What the cross-year and cross-agency rules compare with."""
        return self.read_for_rules()[1]

    # --- the calendar ---------------------------------------------------------------

    @property
    def deadline(self) -> date:
        return deadline_for(self.year, self.agency.is_government)

    @property
    def days_late(self) -> int:
        """Days past the deadline at the first publication (R13); 0 when on time or
        not yet published."""
        return days_late(self.first_published_on or self.published_on, self.deadline)

    def days_late_if_published(self, on: date) -> int:
        """How late a publication on ``on`` would be: what 发布 warns of beforehand."""
        return days_late(self.first_published_on or on, self.deadline)


def _safe_filename(name: str) -> str:
    # Characters that no file system or browser accepts in a file name.
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in name)


for _c in schema.STORED_CELLS:
    Report.add_to_class(_c.field, _cell_field(_c))
for _n in schema.NARRATIVE:
    Report.add_to_class(_n.key, models.TextField(_n.label, blank=True))

# Registered after the cell columns exist, so that the history has one column per cell.
# Derived counts are not history: they follow from the content that is.
register_history(
    Report,
    excluded_fields=[
        "updated_at",
        "error_count",
        "warning_count",
        "blank_count",
        "completion",
        "published_pdf",
        "is_current",
        "first_published_on",
    ],
)


class GeneralSection(models.Model):
    """A sub-section of 一、总体情况: ordered and extensible."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="general")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    heading = models.CharField("小标题", max_length=200)
    body = models.TextField("正文", blank=True)
    if TYPE_CHECKING:
        history: Any  # django-simple-history's manager, added by register_history

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "总体情况小节"
        verbose_name_plural = "总体情况小节"

    def __str__(self) -> str:
        return self.heading


register_history(GeneralSection)


def _current_again(sender: type, instance: Report, **kwargs: Any) -> None:
    """A deleted current revision (a draft correction removed in the admin) hands
    ``is_current`` back to the newest revision left."""
    if not instance.is_current:
        return
    newest = (
        Report.objects.filter(agency_id=instance.agency_id, year=instance.year)
        .order_by("-revision")
        .first()
    )
    if newest is not None:
        Report.objects.filter(pk=newest.pk).update(is_current=True)


post_delete.connect(_current_again, sender=Report, dispatch_uid="report_current_again")
