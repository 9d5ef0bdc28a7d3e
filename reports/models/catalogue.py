"""The published reports as the public finds them: searched by agency name, region and
year, newest year first, paged by keyset (the last report of a page names where the
next one starts, so a page costs the same however deep it is, and a report published
meanwhile never shifts a page's rows). The public list, the JSON API and the feed read
these; ``Report.objects.current_published()`` stays the one notion of "what is out"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models

from reports.models.agency import Agency
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
    public may narrow a search to."""
    from reports.models.report import Report

    beneath = Report.objects.published().filter(agency__path__startswith=models.OuterRef("path"))
    return Agency.objects.filter(is_government=True).filter(models.Exists(beneath)).order_by("path")


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
    years = sorted(set(published.values_list("year", flat=True).distinct()), reverse=True)
    rows = regions()
    if after is not None:
        last = Agency.objects.filter(pk=after).values_list("path", flat=True).first()
        if last is not None:
            rows = rows.filter(path__gt=last)
    has_year = {
        f"has_{year}": models.Exists(
            published.filter(year=year, agency__path__startswith=models.OuterRef("path"))
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


def page_after(reports: ReportQuerySet, after: int | None, size: int = PAGE_SIZE) -> Page:
    """The page of ``reports`` (ordered by ``search``) that follows report ``after``.
    An ``after`` that names no report of the set starts from the beginning."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if after is not None:
        last = reports.filter(pk=after).values("year", "agency__path").first()
        if last is not None:
            year, path = last["year"], last["agency__path"]
            reports = reports.filter(
                models.Q(year__lt=year)
                | models.Q(year=year, agency__path__gt=path)
                | models.Q(year=year, agency__path=path, pk__gt=after)
            )
    rows = list(reports[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].pk if more and rows else None)


def last_change(reports: ReportQuerySet) -> datetime | None:
    """When any of ``reports`` last changed: what a cached copy of a list compares."""
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
