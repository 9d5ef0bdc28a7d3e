"""What waits for each user on the home page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from reports.models import Agency, Report, Role, Status, regions
from reports.oversight.dashboard import STATUS_LABELS, base_rows
from reports.spec.calendar import days_late, deadline_for, reporting_year

# How long before the deadline the oversight inbox starts listing missing reports.
DEADLINE_WARNING = timedelta(days=30)


# How many rows of a list the inbox shows at once; the rest is a link away.
PAGE_SIZE = 50


@dataclass
class AgencyDue:
    agency: Agency
    year: int
    deadline: date
    report_id: int | None  # the current revision, whatever its state
    status: str  # its ``Progress``
    published_on: date | None
    today: date

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_late(self) -> bool:
        if self.published_on is not None:
            return self.published_on > self.deadline
        return False

    @property
    def days_late(self) -> int:
        return days_late(self.published_on, self.deadline)

    @property
    def is_overdue(self) -> bool:
        return self.published_on is None and self.today > self.deadline

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


@dataclass
class DuesPage:
    """One page of the oversight inbox, in tree order: ``after`` is the path of the
    last agency of the page before (keyset paging: a page deep in a region of 30,000
    agencies costs what the first one costs)."""

    dues: list[AgencyDue]
    total: int
    next_after: str | None

    def __iter__(self) -> Iterator[AgencyDue]:
        return iter(self.dues)

    def __len__(self) -> int:
        return len(self.dues)


def dues_rows(user: Any, today: date) -> QuerySet[Agency]:
    """Agencies beneath the oversight user's whose report for last year is late or
    missing, once the deadline is near (30 days) or past: the dashboard's rows
    (``base_rows``), filtered in the database."""
    year = reporting_year(today)
    due = Q(pk__in=[])  # nothing, unless a deadline is near
    for is_government in (False, True):
        deadline = deadline_for(year, is_government)
        if today < deadline - DEADLINE_WARNING:
            continue
        # As seen on ``today``: a publication after it has not happened yet.
        due |= Q(is_government=is_government) & (
            Q(published_on__isnull=True) | Q(published_on__gt=min(today, deadline))
        )
    return base_rows(user.agency, year, today).filter(due).order_by("path")


def dues_count(scope: Agency, year: int, today: date) -> int | None:
    """How many agencies ``dues_rows`` lists, from the stored totals of the region
    (``reports.models.regions``) once the deadlines that count have passed: those
    not published by their deadline. None before a deadline, when what counts is
    what is published by today."""
    totals = regions.beneath(scope, year)
    due = 0
    for is_government in (False, True):
        deadline = deadline_for(year, is_government)
        if today < deadline - DEADLINE_WARNING:
            continue
        if today < deadline:
            return None
        kind = totals.kind(is_government)
        due += kind["agencies"] - kind["on_time"]
    return due


def oversight_dues(
    user: Any, today: date, after: str | None = None, size: int = PAGE_SIZE
) -> DuesPage:
    year = reporting_year(today)
    rows = dues_rows(user, today)
    total = dues_count(user.agency, year, today)
    if total is None:
        total = rows.count()
    if after:
        rows = rows.filter(path__gt=after)
    page = list(rows[: size + 1])
    dues = []
    for agency in page[:size]:
        published = agency.published_on  # type: ignore[attr-defined]
        if published is not None and published > today:
            published = None
        deadline = deadline_for(year, agency.is_government)
        status = agency.status  # type: ignore[attr-defined]
        dues.append(
            AgencyDue(agency, year, deadline, agency.report_id, status, published, today)  # type: ignore[attr-defined]
        )
    next_after = page[size - 1].path if len(page) > size else None
    return DuesPage(dues, total, next_after)


@dataclass
class FirstReports:
    """The first reports of a list and how many there are: a reviewer of a large
    agency, or a clerk with years of drafts, never gets an unbounded list; the rest
    are on the list of all reports."""

    items: list[Report]
    total: int

    def __iter__(self) -> Iterator[Report]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _first(reports: QuerySet[Report], size: int) -> FirstReports:
    # A report row carries ~170 cell columns; the inbox shows a title and a deadline.
    narrow = reports.only("pk", "year", "title", "status", "agency__is_government")
    items = list(narrow.order_by("-year", "agency__name", "pk")[:size])
    # A list shorter than a page is all there is: counting is for the long ones (a
    # clerk's few drafts are the common case, and a query is much of an inbox's cost).
    total = len(items) if len(items) < size else reports.count()
    return FirstReports(items, total)


def inbox_for(user, today: date, after: str | None = None, size: int = PAGE_SIZE) -> dict:
    """What waits for ``user``: every list bounded by ``size`` (``after``: the oversight
    list's keyset cursor)."""
    visible = Report.objects.visible_to(user).select_related("agency")
    inbox: dict = {"today": today}
    if user.role == Role.REVIEWER:
        inbox["to_review"] = _first(visible.filter(status=Status.SUBMITTED), size)
        inbox["to_publish"] = _first(visible.filter(status=Status.APPROVED), size)
    elif user.role == Role.CLERK:
        returned = visible.filter(status=Status.RETURNED).with_return_comment()
        inbox["returned"] = _first(returned, size)
        inbox["drafts"] = _first(visible.filter(status=Status.DRAFT), size)
    elif user.role == Role.OVERSIGHT and user.agency_id:
        inbox["dues"] = oversight_dues(user, today, after, size)
        inbox["report_year"] = reporting_year(today)
    return inbox
