"""Open data of the public site, for portals and researchers: the JSON Schema of the
interchange format, a read-only JSON API (the list searched and paged like the public
list, each report in the interchange format), an Atom feed of publications and
revisions, and a year's figures for a region as CSV and JSON. Published reports only;
cacheable and throttled like every public page (``http.public_page``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from reports.io import codec, interchange, opendata
from reports.models import Agency, Report, ReportQuerySet
from reports.models import catalogue as cat
from reports.views.http import attachment, public_page
from reports.views.public import list_changed, published_page, published_report, report_changed

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
FEED_SIZE = 50


def _json(data: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse(
        data, json_dumps_params={"ensure_ascii": False, "indent": 1}, safe=False, **kwargs
    )


def schema_changed(request: HttpRequest) -> datetime | None:
    return None  # the schema changes with a release only: the ETag carries RELEASE


@require_safe
@public_page(schema_changed)
def schema_view(request: HttpRequest) -> HttpResponse:
    data = {"$id": request.build_absolute_uri(), **interchange.interchange_schema()}
    return _json(data, content_type="application/schema+json; charset=utf-8")


def _summary(request: HttpRequest, report: Report) -> dict:
    release_on = getattr(report, "release_on", None)
    return {
        "id": report.pk,
        "agency": report.agency.name,
        "year": report.year,
        "title": report.title,
        "revision": report.revision,
        "published_on": report.published_on.isoformat() if report.published_on else None,
        # The date shown to the public: the signed date for a report that came in
        # already published (release_is_signed), else the publication date.
        "release_on": release_on.isoformat() if release_on else None,
        "release_is_signed": bool(getattr(report, "release_is_signed", False)),
        "url": request.build_absolute_uri(reverse("public:detail", args=[report.pk])),
        "api": request.build_absolute_uri(reverse("public:api_report", args=[report.pk])),
        "pdf": request.build_absolute_uri(reverse("public:pdf", args=[report.pk])),
    }


@require_safe
@public_page(list_changed)
def api_reports(request: HttpRequest) -> HttpResponse:
    """``?agency=&region=&year=&size=&after=``: the current published revision of each
    agency and year, newest year first; ``next`` is the URL of the following page."""
    _, page = published_page(request)
    following = None
    if page.next_after is not None:
        query = request.GET.copy()
        query["after"] = str(page.next_after)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return _json(
        {"results": [_summary(request, r) for r in page.reports], "next": following},
        content_type=JSON_CONTENT_TYPE,
    )


@require_safe
@public_page(report_changed)
def api_report(request: HttpRequest, pk: int) -> HttpResponse:
    """One report in the interchange format (valid against the schema, importable by
    ``import_report`` as it is), with what the public list says of it under ``meta``."""
    report = published_report(pk)
    data = codec.to_json(report.document())
    data["meta"] = _summary(request, report)
    return _json(data, content_type=JSON_CONTENT_TYPE)


class PublishedFeed(Feed):
    """Newly published reports and revisions, newest first (a revision is a new entry
    with its own link: the corrected text)."""

    feed_type = Atom1Feed
    title = "政府信息公开工作年度报告：新发布和修订的报告"
    subtitle = "各机关新发布的政府信息公开工作年度报告及其修订版本。"

    def link(self) -> str:
        return reverse("public:list")

    def items(self) -> list[Report]:
        reports = Report.objects.published().select_related("agency")
        return list(reports.order_by("-updated_at", "-pk")[:FEED_SIZE])

    def item_title(self, item: Report) -> str:
        return f"{item.title}（第{item.revision}次修订）" if item.revision else item.title

    def item_description(self, item: Report) -> str:
        when = item.published_on
        said = f"{when.year}年{when.month}月{when.day}日" if when else "日期未载明"
        kind = "修订" if item.revision else "发布"
        return f"{item.agency.name}{item.year}年度报告，{said}{kind}。"

    def item_link(self, item: Report) -> str:
        return reverse("public:detail", args=[item.pk])

    def item_guid(self, item: Report) -> str:
        return f"goireport:report:{item.pk}"

    def item_updateddate(self, item: Report) -> datetime:
        return item.updated_at

    def item_pubdate(self, item: Report) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Report) -> str:
        return item.agency.name


_feed = PublishedFeed()


@require_safe
@public_page(list_changed)
def feed(request: HttpRequest) -> HttpResponse:
    return _feed(request)


def _region_reports(year: int, region: Agency) -> ReportQuerySet:
    reports = Report.objects.current_published().filter(year=year)
    reports = cat.search(reports, cat.PublicSearch(region=region, year=year))
    return cat.with_release_date(reports.select_related("agency").prefetch_related("general"))


def region_changed(request: HttpRequest, year: int, region: int, *args: Any) -> datetime | None:
    agency = Agency.objects.filter(pk=region).first()
    if agency is None:
        return None
    return cat.last_change(
        Report.objects.published().filter(year=year, agency__path__startswith=agency.path)
    )


def _region(pk: int) -> Agency:
    return get_object_or_404(cat.regions(), pk=pk)


@require_safe
@public_page(region_changed)
def bulk_csv(request: HttpRequest, year: int, region: int) -> HttpResponseBase:
    agency = _region(region)
    body = opendata.csv_bytes(_region_reports(year, agency))
    return attachment(body, f"{agency.name}{year}年度政府信息公开工作年度报告数据.csv")


@require_safe
@public_page(region_changed)
def bulk_json(request: HttpRequest, year: int, region: int) -> HttpResponseBase:
    agency = _region(region)
    body = opendata.json_bytes(_region_reports(year, agency), agency.name, year)
    return attachment(body, f"{agency.name}{year}年度政府信息公开工作年度报告数据.json")
