"""The public site: published reports, readable without logging in. Nothing that is
not published is reachable from here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from reports.models import Agency, Report
from reports.printing import pdf
from reports.printing import render as rendering
from reports.views.http import attachment


class PublicFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="机关", queryset=Agency.objects.none(), required=False, empty_label="全部机关"
    )
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        published = Report.objects.published()
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = Agency.objects.filter(pk__in=published.values("agency_id")).order_by(
            "name"
        )
        years = published.order_by("-year").values_list("year", flat=True).distinct()
        year = self.fields["year"]
        assert isinstance(year, forms.ChoiceField)
        year.choices = [("", "全部年度")] + [(y, f"{y}年") for y in years]


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    reports = Report.objects.current_published().select_related("agency")
    if form.is_valid():
        if form.cleaned_data["agency"] is not None:
            reports = reports.filter(agency=form.cleaned_data["agency"])
        if form.cleaned_data["year"] is not None:
            reports = reports.filter(year=form.cleaned_data["year"])
    reports = reports.order_by("agency__path", "-year")
    return render(request, "public/list.html", {"form": form, "reports": reports})


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.published().select_related("agency"), pk=pk)
    versions = list(
        Report.objects.published()
        .filter(agency_id=report.agency_id, year=report.year)
        .order_by("revision")
    )
    latest = versions[-1]
    context = {
        "report": report,
        "rendered": rendering.render_document(report.document()),
        "versions": versions,
        "latest": latest,
        # The date the current text was revised, on every version of a revised report.
        "revised_on": latest.published_on if latest.revision else None,
        "is_latest": latest.pk == report.pk,
    }
    return render(request, "public/detail.html", context)


@require_GET
def public_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF stored when the report was published; never re-rendered."""
    report = get_object_or_404(Report.objects.published().select_related("agency"), pk=pk)
    return attachment(pdf.report_pdf(report), report.filename("pdf"))
