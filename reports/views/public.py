"""The public site: published reports, readable without logging in, and downloadable
as PDF, Word, JSON and the print layout's HTML. Nothing that is not published is
reachable from here. Every page is cacheable for anonymous readers and throttled
(``http.public_page``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from reports.io import codec
from reports.models import Agency, Report, regions
from reports.models import catalogue as cat
from reports.oversight import charts, rollup
from reports.printing import pdf, word
from reports.printing import render as rendering
from reports.spec import schema
from reports.spec.calendar import FIRST_YEAR, LAST_YEAR
from reports.views import pickers
from reports.views.http import attachment, public_page


class PublicFilterForm(forms.Form):
    """The search of the public list and the JSON API: a value that makes no sense
    (a year of letters, an unknown region) is left out, never an error."""

    agency = forms.CharField(label="机关名称", required=False, max_length=100)
    region = forms.ModelChoiceField(
        label="地区", queryset=cat.regions(), required=False, empty_label="全部地区"
    )
    # Any plausible year filters, also one with nothing published yet (the API answers
    # an empty list, not every year); the list's select offers the years there are.
    year = forms.IntegerField(
        label="年度", required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, widget=forms.Select
    )
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    size = forms.IntegerField(
        required=False, min_value=1, max_value=cat.MAX_PAGE_SIZE, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = cat.regions()
        self.years = cat.published_years()
        widget = self.fields["year"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", "全部年度")] + [(y, f"{y}年") for y in self.years]

    def search(self) -> tuple[cat.PublicSearch, int | None, int]:
        """The search, the report the page starts after, and the page size."""
        self.is_valid()
        data = self.cleaned_data
        query = cat.PublicSearch(data.get("agency") or "", data.get("region"), data.get("year"))
        return query, data.get("after"), data.get("size") or cat.PAGE_SIZE


def published_page(request: HttpRequest) -> tuple[PublicFilterForm, cat.Page]:
    """The page of the public catalogue a request asks for (list page and API alike)."""
    form = PublicFilterForm(request.GET)
    query, after, size = form.search()
    reports = cat.search(Report.objects.current_published().select_related("agency"), query)
    years = [query.year] if query.year is not None else form.years
    return form, cat.page_after(cat.with_release_date(reports), after, years, size)


def list_changed(request: HttpRequest, *args: Any) -> datetime | None:
    return cat.last_change(Report.objects.published())


def report_changed(request: HttpRequest, pk: int, *args: Any) -> datetime | None:
    """A report's page shows the list of its versions: it changes when any of them does."""
    report = Report.objects.published().filter(pk=pk).values("agency_id", "year").first()
    if report is None:
        return None
    return cat.last_change(Report.objects.published().filter(**report))


def published_report(pk: int) -> Report:
    reports = cat.with_release_date(Report.objects.published().select_related("agency"))
    return get_object_or_404(reports, pk=pk)


@require_safe
@public_page(list_changed)
def public_list(request: HttpRequest) -> HttpResponse:
    form, page = published_page(request)
    query, _, _ = form.search()
    picker = pickers.pick(
        request,
        cat.regions(),
        param="region",
        label="地区",
        chosen=query.region,
        empty_label="全部地区",
    )
    if picker.redirect_query:
        return redirect(f"{request.path}?{picker.redirect_query}")
    bulk = None
    if query.region is not None and query.year is not None:
        bulk = {"region": query.region, "year": query.year}
    following = request.GET.copy()
    following["after"] = str(page.next_after or "")
    context = {
        "form": form,
        "regions": picker,
        "reports": page.reports,
        "next_query": following.urlencode() if page.next_after else "",
        "first_query": "" if form.cleaned_data.get("after") is None else _without_after(request),
        "bulk": bulk,
    }
    return render(request, "public/list.html", context)


def _without_after(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode() or "page=1"


@require_safe
@public_page(report_changed)
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = published_report(pk)
    versions = list(
        Report.objects.published()
        .filter(agency_id=report.agency_id, year=report.year)
        .order_by("revision")
    )
    latest = versions[-1]
    context = {
        "report": report,
        "region": report_region(report),
        "rendered": rendering.render_document(report.document()),
        "versions": versions,
        "latest": latest,
        # The date the current text was revised, on every version of a revised report.
        "revised_on": latest.published_on if latest.revision else None,
        "is_latest": latest.pk == report.pk,
    }
    return render(request, "public/detail.html", context)


@require_safe
@public_page(report_changed)
def public_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF stored when the report was published; never re-rendered."""
    report = published_report(pk)
    return attachment(pdf.report_pdf(report), report.filename("pdf"))


@require_safe
@public_page(report_changed)
def public_pdf_ua(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The accessible copy: PDF/UA-1, tagged, from the same page as the stored PDF/A."""
    report = published_report(pk)
    name = report.filename("pdf").removesuffix(".pdf") + "（无障碍版）.pdf"
    data, stored = pdf.accessible_pdf_from_store(report)
    response = attachment(data, name)
    response["X-PDF-Source"] = "stored" if stored else "rendered"
    return response


@require_safe
@public_page(report_changed)
def public_docx(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = published_report(pk)
    return attachment(word.document_bytes(report.document()), report.filename("docx"))


@require_safe
@public_page(report_changed)
def public_json(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The report in the interchange format (SPEC §4), valid against the published
    JSON Schema, as ``import_report`` reads it."""
    report = published_report(pk)
    return attachment(codec.dumps(report.document()), report.filename("json"))


@require_safe
@public_page(report_changed)
def public_html(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The print layout as one self-contained HTML file (the same page the PDF is made of)."""
    report = published_report(pk)
    return attachment(pdf.render_html(report).encode(), report.filename("html"))


# --- the 图解 of a region: its published figures as charts, a year beside the last ---


def report_region(report: Report) -> Agency | None:
    """The nearest government at or above a report's agency: whose 图解 it counts in."""
    ids = [int(p) for p in report.agency.path.strip("/").split("/") if p]
    return Agency.objects.filter(pk__in=ids, is_government=True).order_by("-path").first()


def regions_changed(request: HttpRequest, *args: Any) -> datetime | None:
    return cat.last_change(Report.objects.published())


# Above so many reports of the year a region's last change is found by walking the
# newest first (``catalogue.last_change``): where the walk and the sum cost alike.
MANY_REPORTS = 20_000


def region_year_changed(request: HttpRequest, region: int, year: int) -> datetime | None:
    agency = Agency.objects.filter(pk=region).only("path").first()
    if agency is None:
        return None
    many = (regions.report_count(agency, year) or 0) > MANY_REPORTS
    return cat.last_change(
        Report.objects.published().filter(
            year__in=(year, year - 1), agency__path__startswith=agency.path
        ),
        many=many,
    )


@require_safe
@public_page(regions_changed)
def region_index(request: HttpRequest) -> HttpResponse:
    """The regions with the years they have published reports for, a page at a time."""
    after = request.GET.get("after", "")
    page = cat.region_page(int(after) if after.isdigit() else None)
    return render(request, "public/regions.html", {"index": page.regions, "page": page})


@require_safe
@public_page(region_year_changed)
def region_year(request: HttpRequest, region: int, year: int) -> HttpResponse:
    agency = get_object_or_404(cat.regions(), pk=region)
    this = rollup.published_year(agency, year)
    if not this.reports:
        raise Http404("no published report of the region for the year")
    last = rollup.published_year(agency, year - 1)
    years = (
        Report.objects.published()
        .filter(agency__path__startswith=agency.path)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    context = {
        "region": agency,
        "this": this,
        "last": last,
        "charts": charts.region_year_charts([last, this]),
        "sections": [
            (s.heading, rendering.build_table(s.key, this.figures))
            for s in schema.SECTIONS
            if s.key in schema.NOTE_KEYS
        ],
        "years": list(years),
    }
    return render(request, "public/region_year.html", context)
