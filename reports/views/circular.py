"""The 通报 of a region: the printable circular of a year's status, as a page in the
official layout, a PDF and an XLSX. Oversight users only (403 for other roles)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.views.decorators.http import require_safe

from reports.oversight import dashboard, region
from reports.views.http import AuthedRequest, attachment, oversight_scope_of


def _circular_for(request: AuthedRequest) -> region.Circular:
    scope = oversight_scope_of(request.user)
    year = dashboard.Filters.from_query(request.GET, date.today().year - 1).year
    return region.circular(scope, year, date.today())


@login_required
@require_safe
def circular(request: AuthedRequest) -> HttpResponse:
    return HttpResponse(region.circular_html(_circular_for(request)))


@login_required
@require_safe
def circular_export(request: AuthedRequest, fmt: str) -> HttpResponseBase:
    if fmt not in ("pdf", "xlsx"):
        raise Http404("unknown format")
    c = _circular_for(request)
    name = f"{c.scope.name}{c.title}.{fmt}"
    if fmt == "pdf":
        return attachment(region.circular_pdf(c), name)
    return attachment(region.circular_workbook(c), name)
