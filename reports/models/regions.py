"""The totals of every region, stored: what the roll-up, the oversight home and the
inbox of a province would otherwise sum over 150,000 reports on every request.

A *region* is an agency with agencies beneath it. ``RegionTotal`` holds, per region
and year, the current revisions of its subtree's reports (itself included) summed:
every stored cell, the blank cells, the reports by progress and the publications by
lateness, and its agencies by kind. A region's totals are its own report's and its
childless children's, read from the reports, plus its child regions' stored totals,
so refreshing one costs a few queries whatever the size of the region. Every save or
deletion of a report and every change of its finding counts refreshes the regions
above it (``note``); adding or moving an agency those above it;
``manage.py refresh_region_totals`` rebuilds them all. The one source stays
``Report.objects.current()``: ``live()`` computes the same totals from it directly
for any set of agencies, and the tests compare the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.signals import post_delete, post_save, pre_save

from reports.models.agency import Agency
from reports.models.report import Report, ReportQuerySet, first_publication, progress
from reports.models.states import COMPLETE, Progress
from reports.models.triage import StoredFinding, Triage
from reports.rules.registry import SEVERITY_ORDER
from reports.spec import schema
from reports.spec.calendar import deadline_for

# Every progress but 未开始: an agency without a report is counted by the agencies.
PROGRESS_COUNTED = [p.value for p in Progress if p != Progress.NOT_STARTED]
KINDS = {True: "government", False: "department"}
# What each kind's entry of ``kinds`` counts: agencies, and current reports first
# published on time, late, or published with no date (loaded from before this system).
KIND_COUNTS = ("agencies", "on_time", "late", "undated")
FEE_FIELDS = {c.field for c in schema.STORED_CELLS if c.kind == "fee"}


@dataclass
class Totals:
    reports: int = 0
    sums: dict[str, Any] = field(default_factory=dict)  # int, Decimal for fees
    blanks: dict[str, int] = field(default_factory=dict)  # reports that left it blank
    by_progress: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)
    with_errors: int = 0
    # The stored findings of the reports by ``finding_key`` (rule, severity, triage),
    # and the agencies with open findings by ``agency_key``: additive like the rest,
    # since an agency has one current report a year and lies in one child region.
    findings: dict[str, int] = field(default_factory=dict)
    open_agencies: dict[str, int] = field(default_factory=dict)

    def add(self, other: Totals, sign: int = 1) -> Totals:
        self.reports += sign * other.reports
        self.with_errors += sign * other.with_errors
        for mine, theirs in (
            (self.sums, other.sums),
            (self.blanks, other.blanks),
            (self.by_progress, other.by_progress),
            (self.findings, other.findings),
            (self.open_agencies, other.open_agencies),
        ):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + sign * value
        for kind, counts in other.kinds.items():
            target = self.kinds.setdefault(kind, dict.fromkeys(KIND_COUNTS, 0))
            for key, value in counts.items():
                target[key] += sign * value
        self.blanks = {k: v for k, v in self.blanks.items() if v}
        self.findings = {k: v for k, v in self.findings.items() if v}
        self.open_agencies = {k: v for k, v in self.open_agencies.items() if v}
        return self

    def kind(self, is_government: bool) -> dict[str, int]:
        return self.kinds.get(KINDS[is_government]) or dict.fromkeys(KIND_COUNTS, 0)

    @property
    def agencies(self) -> int:
        return sum(self.kind(k)["agencies"] for k in KINDS)


def finding_key(rule: str, severity: str, triage: str) -> str:
    return f"{rule}|{severity}|{triage}"


def agency_key(rule: str = "", severity: str = "") -> str:
    """Which agencies with open findings: of a rule, of a severity, of both, of any."""
    return f"{rule}|{severity}"


class RegionTotal(models.Model):
    """The totals of a region's subtree (itself included) for a year (``Totals``)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="region_totals")
    year = models.PositiveSmallIntegerField("年度")
    reports = models.PositiveIntegerField(default=0)
    sums = models.JSONField(default=dict)  # a fee as a string, exact
    blanks = models.JSONField(default=dict)
    by_progress = models.JSONField(default=dict)
    kinds = models.JSONField(default=dict)
    with_errors = models.PositiveIntegerField(default=0)
    findings = models.JSONField(default=dict)
    open_agencies = models.JSONField(default=dict)

    class Meta:
        verbose_name = "区域汇总"
        verbose_name_plural = "区域汇总"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_total_per_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}"

    def totals(self) -> Totals:
        sums = {k: Decimal(v) if k in FEE_FIELDS else v for k, v in self.sums.items()}
        return Totals(
            self.reports,
            sums,
            dict(self.blanks),
            dict(self.by_progress),
            {k: dict(v) for k, v in self.kinds.items()},
            self.with_errors,
            dict(self.findings),
            dict(self.open_agencies),
        )


def live(
    reports: ReportQuerySet, agencies: QuerySet[Agency], year: int, findings: bool = True
) -> Totals:
    """The totals of ``reports`` of ``year`` (the current revisions, or the current
    published ones for the public) and of ``agencies``, computed from the rows (four
    queries; one less for no agencies, two less without the ``findings``, which the
    public's figures have no use for)."""
    current = reports.filter(year=year).annotate(progress=progress(), published=first_publication())
    totals = _totals(current.aggregate(**_aggregates(year)), agencies)
    if findings:
        totals.findings, totals.open_agencies = _finding_counts(reports.filter(year=year))
    return totals


def _aggregates(year: int) -> dict[str, Any]:
    """What ``live`` sums for ``year``, over reports annotated with their ``progress``
    and ``published`` (``first_publication``)."""
    aggregates: dict[str, Any] = {"reports": Count("pk")}
    aggregates.update({f"s_{c.field}": Sum(c.field) for c in schema.STORED_CELLS})
    # A cell's blanks are the reports less the ones that filled it in, subtracted in
    # ``_totals``: as SQL (COUNT(id) - COUNT(cell), 166 times) the ORM took twice as
    # long to build the query.
    aggregates.update({f"n_{c.field}": Count(c.field) for c in schema.STORED_CELLS})
    aggregates.update({f"p_{p}": Count("pk", filter=Q(progress=p)) for p in PROGRESS_COUNTED})
    for is_gov, kind in KINDS.items():
        deadline = deadline_for(year, is_gov)
        gov = Q(agency__is_government=is_gov)
        aggregates[f"{kind}_on_time"] = Count("pk", filter=gov & Q(published__lte=deadline))
        aggregates[f"{kind}_late"] = Count("pk", filter=gov & Q(published__gt=deadline))
        undated = gov & Q(published__isnull=True, progress__in=COMPLETE)
        aggregates[f"{kind}_undated"] = Count("pk", filter=undated)
    aggregates["with_errors"] = Count("pk", filter=Q(error_count__gt=0))
    return aggregates


def _totals(row: dict[str, Any], agencies: QuerySet[Agency]) -> Totals:
    """``Totals`` from a row of ``_aggregates`` (empty: no report) and ``agencies``."""
    counted = agencies.order_by().values_list("is_government")
    by_kind = dict(counted.annotate(n=Count("pk")))
    reports = row.get("reports", 0)
    sums: dict[str, Any] = {}
    for c in schema.STORED_CELLS:
        value = row.get(f"s_{c.field}")
        sums[c.field] = (value or Decimal(0)) if c.kind == "fee" else int(value or 0)
    return Totals(
        reports=reports,
        sums=sums,
        blanks={
            c.field: n for c in schema.STORED_CELLS if (n := reports - row.get(f"n_{c.field}", 0))
        },
        by_progress={p: row.get(f"p_{p}", 0) for p in PROGRESS_COUNTED},
        kinds={
            kind: {
                "agencies": by_kind.get(is_gov, 0),
                **{key: row.get(f"{kind}_{key}", 0) for key in KIND_COUNTS[1:]},
            }
            for is_gov, kind in KINDS.items()
        },
        with_errors=row.get("with_errors", 0),
    )


@lru_cache(maxsize=8)
def _current_summed(year: int) -> QuerySet[Report, dict[str, Any]]:
    """``_aggregates`` of the current reports of ``year``, grouped by the year: a
    queryset built once per process and year and only ever filtered (never evaluated
    itself): the ORM's building of 350 aggregates took 80-160 ms of CPU on the loaded
    development machine, most of a report's save (bench/load.py's save POST), where
    filtering the built one takes ~12 ms. It holds no rows, so nothing in it can go
    stale."""
    current = Report.objects.current().filter(year=year)
    annotated = current.annotate(progress=progress(), published=first_publication())
    return annotated.order_by().values("year").annotate(**_aggregates(year))


def _summed_directly(agency_id: int, year: int) -> Totals:
    """``live`` of the current reports of the agencies a region reads from the rows
    (``_direct``): one row of ``_current_summed``, none without reports."""
    direct = Agency.objects.filter(_direct(agency_id))
    rows = list(_current_summed(year).filter(agency__in=direct))
    totals = _totals(rows[0] if rows else {}, direct)
    if rows:
        current = Report.objects.current().filter(year=year, agency__in=direct)
        totals.findings, totals.open_agencies = _finding_counts(current)
    return totals


def _finding_counts(reports: ReportQuerySet) -> tuple[dict[str, int], dict[str, int]]:
    """The stored findings of ``reports`` by rule, severity and triage, and the
    reports (one per agency) with open findings by rule and severity, by rule, by
    severity and at all (two queries; one without findings)."""
    found = StoredFinding.objects.filter(report__in=reports).order_by()
    is_open = Q(triage=Triage.OPEN)
    findings: dict[str, int] = {}
    open_agencies: dict[str, int] = {}
    grouped = found.values("rule", "severity", "triage").annotate(
        n=Count("pk"), agencies=Count("report_id", distinct=True)
    )
    for g in grouped:
        findings[finding_key(g["rule"], g["severity"], g["triage"])] = g["n"]
        if g["triage"] == Triage.OPEN:
            open_agencies[agency_key(g["rule"], g["severity"])] = g["agencies"]
    rule_ids = sorted({g["rule"] for g in grouped})
    wider = {agency_key(): Count("report_id", distinct=True, filter=is_open)}
    for rule_id in rule_ids:
        wider[agency_key(rule_id)] = Count(
            "report_id", distinct=True, filter=is_open & Q(rule=rule_id)
        )
    for severity in SEVERITY_ORDER:
        wider[agency_key(severity=severity)] = Count(
            "report_id", distinct=True, filter=is_open & Q(severity=severity)
        )
    if open_agencies:
        # Aliases are the keys: a keyword per key, whatever characters it holds.
        aliases = {f"k{i}": (key, c) for i, (key, c) in enumerate(wider.items())}
        row = found.aggregate(**{a: c for a, (_, c) in aliases.items()})
        open_agencies.update({key: row[a] for a, (key, _) in aliases.items() if row[a]})
    return findings, open_agencies


def _direct(agency_id: int) -> Q:
    """The agency itself and its children without children of their own: what a
    region's totals read from the rows (child regions bring their stored totals)."""
    # NOT EXISTS, not a join to the children: the join's OR made PostgreSQL read every
    # agency (a sequential scan, 9 ms of each save at 3,000 agencies and growing).
    childless = ~Exists(Agency.objects.filter(parent_id=OuterRef("pk")))
    return Q(pk=agency_id) | Q(childless, parent_id=agency_id)


def refresh(agency_id: int, year: int) -> Totals | None:
    """Recompute the stored totals of one region (a no-op for an agency without
    agencies beneath it, whose row is removed if it had one)."""
    if not Agency.objects.filter(parent_id=agency_id).exists():
        RegionTotal.objects.filter(agency_id=agency_id, year=year).delete()
        return None
    child_rows = list(RegionTotal.objects.filter(agency__parent_id=agency_id, year=year))
    totals = _summed_directly(agency_id, year)
    for row in child_rows:
        totals.add(row.totals())
    # A child region without a row for the year (no report of it saved that year yet,
    # as when a year's first report is started) still counts its agencies: its row is
    # made now, once, the regions beneath it first.
    summed = [row.agency_id for row in child_rows]
    regions_beneath = Agency.objects.filter(parent_id=agency_id, children__isnull=False)
    for child in regions_beneath.exclude(pk__in=summed).distinct().values_list("pk", flat=True):
        child_totals = refresh(child, year)
        if child_totals is not None:
            totals.add(child_totals)
    store(agency_id, year, totals)
    return totals


def store(agency_id: int, year: int, totals: Totals) -> None:
    values = {
        "reports": totals.reports,
        "sums": {k: str(v) if k in FEE_FIELDS else v for k, v in totals.sums.items()},
        "blanks": totals.blanks,
        "by_progress": totals.by_progress,
        "kinds": totals.kinds,
        "with_errors": totals.with_errors,
        "findings": totals.findings,
        "open_agencies": totals.open_agencies,
    }
    # An UPDATE for the row that nearly always exists (one query where
    # update_or_create's savepoint, SELECT and UPDATE made four), created the first time.
    row = RegionTotal.objects.filter(agency_id=agency_id, year=year)
    if not row.update(**values):
        RegionTotal.objects.update_or_create(agency_id=agency_id, year=year, defaults=values)


def refresh_above(path: str, years: list[int] | None = None, moved: bool = True) -> None:
    """Every region on ``path`` (an agency's, itself included), deepest first, for
    ``years`` (by default every year that has totals). Unless the tree ``moved``, a
    region whose child region was summed again takes the difference of that child's
    totals instead of summing all its children again (a province's hundreds)."""
    ids = [int(p) for p in path.strip("/").split("/") if p]
    if years is None:
        years = sorted(set(RegionTotal.objects.values_list("year", flat=True)))
    for year in years:
        with transaction.atomic():
            # Two saves beneath one region at once would each add up the other's
            # child totals as they were before it: the rows above are locked first,
            # top down (one order, so no deadlock), and each sum then reads what the
            # other committed. Saves in one tree take turns here.
            above = RegionTotal.objects.select_for_update(of=("self",))
            rows = above.filter(agency_id__in=ids, year=year).order_by("agency__path")
            before = {row.agency_id: row.totals() for row in rows}
            child_before: Totals | None = None
            child_after: Totals | None = None
            for agency_id in reversed(ids):
                mine = before.get(agency_id)
                after: Totals | None
                if not moved and mine and child_before and child_after:
                    after = Totals().add(mine).add(child_before, -1).add(child_after)
                    store(agency_id, year, after)
                else:
                    # A new region, or one above an agency without agencies beneath
                    # it, whose report it reads itself.
                    after = refresh(agency_id, year)
                child_before, child_after = before.get(agency_id), after


# True inside ``suspended()``.
_suspended: ContextVar[bool] = ContextVar("regions_suspended", default=False)


def is_suspended() -> bool:
    return _suspended.get()


@contextmanager
def suspended() -> Iterator[None]:
    """Leave the totals alone: for writes of whole trees (generating, removing a
    generated region), which ``rebuild`` afterwards or whose totals go with them."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def note(report: Any) -> None:
    """A report was saved, deleted or counted again: the regions above it."""
    if _suspended.get():
        return
    path = Agency.objects.filter(pk=report.agency_id).values_list("path", flat=True).first()
    if path:
        refresh_above(path, [report.year], moved=False)


def rebuild(years: list[int] | None = None, within: Agency | None = None) -> int:
    """Every region's totals from the reports, the deepest regions first (only those
    of ``within``'s subtree, which must have no region above it); how many."""
    if years is None:
        years = sorted(set(Report.objects.values_list("year", flat=True).distinct()))
    agencies = within.subtree() if within is not None else Agency.objects.all()
    RegionTotal.objects.filter(year__in=years, agency__in=agencies).delete()
    regions = list(agencies.filter(children__isnull=False).distinct().values_list("pk", "path"))
    regions.sort(key=lambda r: r[1].count("/"), reverse=True)
    for year in years:
        for pk, _ in regions:
            refresh(pk, year)
    return len(regions) * len(years)


def report_count(agency: Agency, year: int) -> int | None:
    """How many reports of ``year`` the region ``agency`` has (current revisions, any
    status), as its stored totals count them; None when it has no row for the year."""
    return (
        RegionTotal.objects.filter(agency=agency, year=year)
        .values_list("reports", flat=True)
        .first()
    )


def totals_of(agency: Agency | None, year: int) -> Totals:
    """The totals of ``agency``'s subtree (of every agency if None): stored for a
    region, from the rows otherwise (one agency, or a year without a report)."""
    if agency is not None:
        row = RegionTotal.objects.filter(agency=agency, year=year).first()
        if row is not None:
            return row.totals()
        agencies = agency.subtree()
    else:
        agencies = Agency.objects.all()
    return live(Report.objects.current().filter(agency__in=agencies), agencies, year)


def beneath(agency: Agency, year: int) -> Totals:
    """The totals of every agency beneath ``agency``, itself left out, without the
    finding counts (the pages that read this count reports, not findings)."""
    own = Agency.objects.filter(pk=agency.pk)
    own_report = Report.objects.current().filter(agency=agency)
    totals = totals_of(agency, year).add(live(own_report, own, year, findings=False), -1)
    totals.findings, totals.open_agencies = {}, {}
    return totals


def overdue(totals: Totals, year: int, today: date) -> int:
    """Agencies of ``totals`` whose report is not published by a deadline that has
    passed (a report with no publication date that is published is not)."""
    n = 0
    for is_gov in KINDS:
        k = totals.kind(is_gov)
        if today > deadline_for(year, is_gov):
            n += k["agencies"] - k["on_time"] - k["late"] - k["undated"]
    return n


# --- kept fresh -------------------------------------------------------------------


def _report_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    note(instance)


def _agency_before(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None or _suspended.get():
        return
    instance._path_before = (
        Agency.objects.filter(pk=instance.pk).values_list("path", flat=True).first()
    )


def _agency_changed(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A new, moved or deleted agency: the regions above where it was and where it is."""
    if raw or _suspended.get():
        return
    before = getattr(instance, "_path_before", None)
    for path in {before, instance.path} - {None, ""}:
        refresh_above(path)


def connect() -> None:
    """Report saves reach ``note`` through ``counts`` (after the recount, which the
    error counts need); deletions and agencies here."""
    post_delete.connect(_report_deleted, sender=Report, dispatch_uid="regions_report")
    pre_save.connect(_agency_before, sender=Agency, dispatch_uid="regions_agency_before")
    post_save.connect(_agency_changed, sender=Agency, dispatch_uid="regions_agency")
    post_delete.connect(_agency_changed, sender=Agency, dispatch_uid="regions_agency_gone")
