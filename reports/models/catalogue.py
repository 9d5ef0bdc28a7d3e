"""The published reports as the public finds them: searched by agency name, region and
year, newest year first, paged by keyset (the last report of a page names where the
next one starts, so a page costs the same however deep it is, and a report published
meanwhile never shifts a page's rows). The public list, the JSON API and the feed read
these; ``Report.objects.current_published()`` stays the one notion of "what is out"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, models

from reports.models.agency import Agency, path_within
from reports.models.states import Status
from reports.models.workflow import ReportEvent

if TYPE_CHECKING:
    from reports.models.report import Report, ReportQuerySet

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class PublicSearch:
    """What a reader asked for; every part optional."""

    agency_name: str = ""
    region: Agency | None = None  # a government: its reports and those beneath it
    year: int | None = None


@dataclass
class Page:
    reports: list[Report]
    next_after: int | None  # the pk to continue after, None on the last page


def regions() -> models.QuerySet[Agency]:
    """The governments with at least one published report in their subtree: what the
    public may narrow a search to.

    "At least one" as the first such report's id, not as EXISTS: PostgreSQL turns an
    EXISTS into a join and, misjudging how many agencies a subtree's range holds, read
    every published report for it (0.4-0.6 s at 150,000 agencies); a subquery that
    returns one row it plans per region, down the path index, stopping at the first
    (3 ms)."""
    from reports.models.report import Report

    first = (
        Report.objects.published()
        .filter(path_within("agency__path", models.OuterRef("path")))
        .order_by()
        .values("pk")[:1]
    )
    return (
        Agency.objects.filter(is_government=True)
        .alias(first_published=models.Subquery(first))
        .filter(first_published__isnull=False)
        .order_by("path")
    )


@dataclass
class RegionPage:
    regions: list[tuple[Agency, list[int]]]  # each region with its years, newest first
    next_after: int | None  # the region to continue after, None on the last page


def region_page(after: int | None, size: int = PAGE_SIZE) -> RegionPage:
    """A page of ``regions()`` in tree order, each with the years it has published
    reports for. The years are asked of the database per region and year (an EXISTS
    each, which stops at the first report), never by reading a province's reports:
    two queries whatever the size of the tree."""
    from reports.models.report import Report

    size = max(1, min(size, MAX_PAGE_SIZE))
    published = Report.objects.published()
    years = published_years()
    rows = regions()
    if after is not None:
        last = Agency.objects.filter(pk=after).values_list("path", flat=True).first()
        if last is not None:
            rows = rows.filter(path__gt=last)
    has_year = {
        f"has_{year}": models.Exists(
            published.filter(path_within("agency__path", models.OuterRef("path")), year=year)
        )
        for year in years
    }
    found = list(rows.annotate(**has_year)[: size + 1])
    more = len(found) > size
    found = found[:size]
    index = [(r, [y for y in years if getattr(r, f"has_{y}")]) for r in found]
    return RegionPage(index, found[-1].pk if more and found else None)


def search(reports: ReportQuerySet, query: PublicSearch) -> ReportQuerySet:
    if query.agency_name.strip():
        reports = reports.filter(agency__name__contains=query.agency_name.strip())
    if query.region is not None:
        reports = reports.filter(agency__path__startswith=query.region.path)
    if query.year is not None:
        reports = reports.filter(year=query.year)
    return reports.order_by("-year", "agency__path", "pk")


def published_years() -> list[int]:
    """The years with published reports, newest first, in two queries whatever the
    number of reports: the first and last year (two probes of the index on status and
    year), then for each year between them whether one is published (a probe each, in
    one query), where a DISTINCT reads every published report (bench/oversight.py's
    database has 440,000)."""
    from reports.models.report import Report

    published = Report.objects.published()
    span = published.aggregate(first=models.Min("year"), last=models.Max("year"))
    if span["first"] is None:
        return []
    candidates = range(span["last"], span["first"] - 1, -1)
    found = (
        published.order_by()
        .annotate(**{f"y{y}": models.Exists(published.filter(year=y)) for y in candidates})
        .values(*(f"y{y}" for y in candidates))
        .first()
    )
    return [y for y in candidates if found and found[f"y{y}"]]


def page_after(
    reports: ReportQuerySet, after: int | None, years: list[int], size: int = PAGE_SIZE
) -> Page:
    """The page of ``reports`` (ordered as ``search`` orders them) that follows report
    ``after``; ``years``, newest first, are those it may hold (``published_years``).
    An ``after`` that names no report of the set starts from the beginning.

    Each year is read on its own in the agencies' path order, at most a page of it, and
    the years are put together (a UNION): PostgreSQL walks the index of the paths and
    finds each agency's report by its own index, where ordering all years at once
    sorted every published report of a province on every page (4-8 s with 440,000 in
    the database). Then the page's rows are read by their ids: two queries, three
    after a cursor, however many reports and years (one for a single year)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    start: Mapping[str, Any] | None = None
    if after is not None:
        start = reports.filter(pk=after).values("year", "agency__path").first()
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (a desk's database, not a province's) cannot limit the parts of a
        # UNION: one query in the whole order.
        if start is not None:
            year = start["year"]
            reports = reports.filter(
                models.Q(year__lt=year) | models.Q(_following(start, after), year=year)
            )
        rows = list(reports.filter(year__in=years)[: size + 1])
        return Page(rows[:size], rows[size - 1].pk if len(rows) > size else None)
    parts = []
    for year in years:
        if start is not None and year > start["year"]:
            continue
        part = reports.filter(year=year)
        if start is not None and year == start["year"]:
            part = part.filter(_following(start, after))
        parts.append(part.order_by("agency__path", "pk"))
    if not parts:
        return Page([], None)
    if len(parts) == 1:  # one year: its rows at once
        rows = list(parts[0][: size + 1])
        return Page(rows[:size], rows[size - 1].pk if len(rows) > size else None)
    keys = [p.values_list("year", "agency__path", "pk")[: size + 1] for p in parts]
    page = keys[0].union(*keys[1:], all=True).order_by("-year", "agency__path", "pk")
    order = [pk for _, _, pk in page[: size + 1]]
    found = reports.order_by().in_bulk(order[:size])
    rows = [found[pk] for pk in order[:size] if pk in found]
    return Page(rows, rows[-1].pk if len(order) > size and rows else None)


def _following(start: Mapping[str, Any], after: int | None) -> models.Q:
    """After report ``after`` (its path in ``start``) among the reports of its year."""
    path = start["agency__path"]
    return models.Q(agency__path__gt=path) | models.Q(agency__path=path, pk__gt=after)


def last_change(reports: ReportQuerySet, many: bool = False) -> datetime | None:
    """When any of ``reports`` last changed: what a cached copy of a list compares.

    ``many``: they are a large share of all reports (a province's), found soonest by
    walking every published report newest first, which the index of status and time of
    change gives in order; a city's are summed faster (bench/oversight.py's database,
    the public 图解's check: a province's took 230 ms summed, 2 ms walked, a city of
    3,000 agencies 14 ms summed and 840 ms walked)."""
    if many:
        value = reports.order_by("-updated_at").values_list("updated_at", flat=True).first()
    else:
        value = reports.aggregate(latest=models.Max("updated_at"))["latest"]
    return value if isinstance(value, datetime) else None


def with_release_date(reports: ReportQuerySet) -> ReportQuerySet:
    """Each report with the date the public is shown (``release_on``) and whether it is
    the signed date (``release_is_signed``). A report published in this system shows
    its publication date. One that came in already published (imported from the file
    it was published as, or loaded by ``load_demo``) has no record of when it went
    online: it shows the date it was signed, marked as such."""
    published_here = models.Exists(
        ReportEvent.objects.filter(report_id=models.OuterRef("pk"), to_status=Status.PUBLISHED)
    )
    signed = models.Q(signature_date__isnull=False) & ~published_here
    return reports.annotate(
        release_on=models.Case(
            models.When(signed, then=models.F("signature_date")),
            default=models.F("published_on"),
            output_field=models.DateField(),
        ),
        release_is_signed=models.Case(
            models.When(signed, then=models.Value(True)),
            default=models.Value(False),
            output_field=models.BooleanField(),
        ),
    )
