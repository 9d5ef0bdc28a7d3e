"""The oversight home: every agency beneath an oversight office with its report's state.

One row per agency (agencies without a report for the year are 未开始), built by one
SQL query that LEFT JOINs each agency to the current revision of its report of the
chosen year through a ``FilteredRelation``; filters, sorting and paging happen in the
database, so the page costs the same few queries for 30 agencies or 3,000. Error and
warning counts come from the counts stored on each report (reports.models.counts), not
from running the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from reports.models import Agency, EventKind, ReportEvent
from reports.models import regions as stored_regions
from reports.models.report import first_publication, progress
from reports.models.states import COMPLETE, Progress
from reports.spec.calendar import FIRST_YEAR, LAST_YEAR, deadline_for

NOT_STARTED = Progress.NOT_STARTED.value
STATUS_CHOICES: tuple[tuple[str, str], ...] = tuple(Progress.choices)
STATUS_LABELS = dict(STATUS_CHOICES)
STATUS_ORDER = [key for key, _ in STATUS_CHOICES]

LATENESS_LABELS = {
    "late": "逾期发布",
    "overdue": "逾期未发布",
    "on_time": "按时发布",
    "pending": "未到截止日期",
    "undated": "已发布，日期不详",
}

SORTS: dict[str, str] = {
    "name": "机关",
    "status": "状态",
    "submitted": "提交日期",
    "published": "发布日期",
    "errors": "错误",
    "warnings": "警告",
}
PAGE_SIZE = 50


def submitted_on(prefix: str = "") -> Subquery:
    """The date a report was last submitted for review, from the workflow's event log.

    ``prefix`` is the path from the queried model to the report (``"yr__"`` on the
    dashboard's agency query). A report returned and submitted again shows its latest
    submission.
    """
    latest = (
        ReportEvent.objects.filter(report=OuterRef(prefix + "id"), kind=EventKind.SUBMIT)
        .annotate(day=TruncDate("at"))
        .order_by("-at")
        .values("day")[:1]
    )
    return Subquery(latest, output_field=DateField())


def lateness(year: int, today: date) -> Case:
    """Lateness against the deadline (R13), as SQL over the rows of ``base_rows``: the
    deadline is 31 January, or 31 March for a government (``is_government``), and the
    date that counts is the first publication (``published_on`` there)."""
    deadlines = {False: deadline_for(year, False), True: deadline_for(year, True)}
    late = Q()
    overdue = Q()
    on_time = Q()
    for is_gov, deadline in deadlines.items():
        late |= Q(is_government=is_gov, published_on__gt=deadline)
        on_time |= Q(is_government=is_gov, published_on__lte=deadline)
        if today > deadline:
            overdue |= Q(is_government=is_gov, published_on__isnull=True)
    whens = [
        When(late, then=Value("late")),
        When(on_time, then=Value("on_time")),
        # Reports published before this system (imported) may carry no date: published,
        # so never "not published", but their lateness cannot be told.
        When(status__in=COMPLETE, then=Value("undated")),
    ]
    if overdue:
        whens.append(When(overdue, then=Value("overdue")))
    return Case(*whens, default=Value("pending"), output_field=CharField())


def agencies_beneath(scope: Agency) -> QuerySet[Agency]:
    return Agency.objects.filter(path__startswith=scope.path).exclude(pk=scope.pk)


def base_rows(scope: Agency, year: int, today: date) -> QuerySet[Any]:
    """Every agency beneath ``scope``, annotated with the current revision of its report
    of ``year``."""
    status_rank = Case(
        *(When(status=key, then=Value(i)) for i, key in enumerate(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return (
        agencies_beneath(scope)
        .annotate(
            yr=FilteredRelation(
                "reports", condition=Q(reports__year=year, reports__is_current=True)
            )
        )
        .annotate(
            report_id=F("yr__id"),
            status=progress("yr__"),
            published_on=first_publication("yr__"),
            submitted_on=submitted_on("yr__"),
            error_count=F("yr__error_count"),
            warning_count=F("yr__warning_count"),
        )
        .annotate(lateness=lateness(year, today), status_rank=status_rank)
        .select_related("parent")
    )


@dataclass
class Filters:
    year: int
    status: str = ""
    late: str = ""  # "yes" / "no" / ""
    findings: str = ""  # "errors" / "warnings" / ""
    q: str = ""
    within: int | None = None  # a government (or any agency) beneath: its subtree only
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_query(cls, params, default_year: int) -> Filters:
        try:
            year = int(params.get("year") or default_year)
        except ValueError:
            year = default_year
        if not FIRST_YEAR <= year <= LAST_YEAR:
            year = default_year
        sort = params.get("sort") or "name"
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        return cls(
            year=year,
            status=params.get("status", "") if params.get("status") in STATUS_LABELS else "",
            late=params.get("late", "") if params.get("late") in ("yes", "no") else "",
            findings=params.get("findings", "")
            if params.get("findings") in ("errors", "warnings")
            else "",
            q=(params.get("q") or "").strip()[:100],
            within=int(params["within"]) if (params.get("within") or "").isdigit() else None,
            sort=sort if sort in SORTS else "name",
            descending=descending,
        )

    def query(self, **changes) -> str:
        """The query string of these filters with ``changes`` applied (for links)."""
        values = {
            "year": self.year,
            "status": self.status,
            "late": self.late,
            "findings": self.findings,
            "q": self.q,
            "within": self.within,
            "sort": ("-" if self.descending else "") + self.sort,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


_ORDER_FIELDS = {
    "name": "path",
    "status": "status_rank",
    "submitted": "submitted_on",
    "published": "published_on",
    "errors": "error_count",
    "warnings": "warning_count",
}


def filtered_rows(
    scope: Agency, filters: Filters, today: date, within: Agency | None = None
) -> QuerySet[Any]:
    """The table's rows; ``within`` (an agency beneath ``scope``) narrows them to its
    subtree, e.g. one district of a city."""
    rows = base_rows(scope, filters.year, today)
    if within is not None:
        rows = rows.filter(path__startswith=within.path)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.late == "yes":
        rows = rows.filter(lateness__in=("late", "overdue"))
    elif filters.late == "no":
        rows = rows.exclude(lateness__in=("late", "overdue"))
    if filters.findings == "errors":
        rows = rows.filter(error_count__gt=0)
    elif filters.findings == "warnings":
        rows = rows.filter(warning_count__gt=0)
    if filters.q:
        rows = rows.filter(name__icontains=filters.q)
    field = F(_ORDER_FIELDS[filters.sort])
    order = field.desc(nulls_last=True) if filters.descending else field.asc(nulls_last=True)
    return rows.order_by(order, "path")


@dataclass
class Summary:
    total: int
    by_status: dict[str, int]
    late: int
    with_errors: int

    @property
    def complete(self) -> int:
        return sum(self.by_status.get(s, 0) for s in COMPLETE)

    @property
    def complete_share(self) -> float:
        return self.complete / self.total if self.total else 0.0

    def statuses(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.by_status.get(key, 0)) for key, label in STATUS_CHOICES]


def regions(scope: Agency, year: int, itself: bool = False) -> QuerySet[Agency]:
    """The regions beneath ``scope`` (``itself`` too) for ``year``: the choices of the
    下级区域 filter. Read from the stored totals, a row per region and year (every
    region once ``refresh_region_totals`` ran, then every region above a report
    saved), not by looking for children among the whole subtree."""
    agencies = scope.subtree() if itself else agencies_beneath(scope)
    return agencies.filter(region_totals__year=year).order_by("path")


def summary(scope: Agency, year: int, today: date) -> Summary:
    """Counts for the whole scope from its stored totals (``reports.models.regions``):
    three queries whatever its size."""
    totals = stored_regions.beneath(scope, year)
    by_status = {key: totals.by_progress.get(key, 0) for key in STATUS_ORDER}
    by_status[NOT_STARTED] = totals.agencies - totals.reports
    late = sum(totals.kind(is_gov)["late"] for is_gov in stored_regions.KINDS)
    return Summary(
        total=totals.agencies,
        by_status=by_status,
        late=late + stored_regions.overdue(totals, year, today),
        with_errors=totals.with_errors,
    )


def is_filtered(filters: Filters) -> bool:
    """Whether the table shows fewer rows than the summary counts."""
    return bool(filters.status or filters.late or filters.findings or filters.q or filters.within)


EXPORT_HEADER = [
    "机关",
    "上级机关",
    "状态",
    "提交日期",
    "发布日期",
    "截止日期",
    "是否逾期",
    "错误",
    "警告",
]


def export_sheet(year: int) -> str:
    """The progress table's XLSX sheet."""
    return f"{year}年度报告进度"


def export_title(scope: Agency, year: int) -> str:
    """What the progress table's XLSX is called."""
    return f"{scope.name}{year}年度政府信息公开工作年度报告进度"


def export_params(filters: Filters) -> dict[str, str]:
    """The filters an export job keeps (``Filters.from_query`` reads them back); the
    year and the region are the job's own."""
    sort = ("-" if filters.descending else "") + filters.sort
    return {
        "status": filters.status,
        "late": filters.late,
        "findings": filters.findings,
        "q": filters.q,
        "within": str(filters.within or ""),
        "sort": sort,
    }


def export_rows(rows: QuerySet[Any], year: int) -> Iterator[list[Any]]:
    """The table's rows as the XLSX has them (``EXPORT_HEADER``), read in chunks."""
    for a in rows.iterator(chunk_size=2000):
        yield [
            a.name,
            a.parent.name if a.parent else "",
            STATUS_LABELS[a.status],
            a.submitted_on,
            a.published_on,
            deadline_for(year, a.is_government),
            LATENESS_LABELS[a.lateness],
            a.error_count,
            a.warning_count,
        ]
