"""Views of the oversight office: the home table, the roll-up and the charts.

Function-based and thin: the queries live in reports.oversight. Only oversight users
see these pages (403 for other roles); an agency outside their subtree is a 404, as
everywhere else (``reports.models.access``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from reports.models import Agency, JobKind, Report, access
from reports.oversight import charts, dashboard, reminders, xlsx
from reports.oversight import rollup as rollups
from reports.oversight.xlsx import rollup_workbook
from reports.printing import pdf
from reports.printing import render as rendering
from reports.spec import schema
from reports.spec.calendar import reporting_year
from reports.views import exports, pickers
from reports.views.http import AuthedRequest, attachment, oversight_scope_of


def _default_year() -> int:
    # Shanghai's date: on 1 January before 8:00 the server's UTC date is still last year's.
    return reporting_year(timezone.localdate())


def _year_choices(selected: int) -> list[int]:
    latest = max(date.today().year, selected)
    return list(range(latest, min(2021, selected) - 1, -1))


@login_required
@require_safe
def home(request: AuthedRequest) -> HttpResponse:
    scope = oversight_scope_of(request.user)
    today = date.today()
    filters = dashboard.Filters.from_query(request.GET, _default_year())
    within = _within(scope, filters)
    picker = pickers.pick(
        request,
        dashboard.regions(scope, filters.year),
        param="within",
        label="下级区域",
        chosen=within,
    )
    if picker.redirect_query:
        return redirect(f"{request.path}?{picker.redirect_query}")
    rows = dashboard.filtered_rows(scope, filters, today, within)
    summary = dashboard.summary(scope, filters.year, today)
    paginator = Paginator(rows, dashboard.PAGE_SIZE)
    if not dashboard.is_filtered(filters):
        paginator.count = summary.total  # the stored count, not a COUNT of the region
    # A province's table is written by the task worker, not in the request.
    export_in_background = paginator.count > xlsx.ROWS_IN_REQUEST
    page = paginator.get_page(request.GET.get("page"))
    row: Any
    for row in page:
        row.status_label = dashboard.STATUS_LABELS[row.status]
        row.lateness_label = dashboard.LATENESS_LABELS[row.lateness]
    context = {
        "scope": scope,
        "filters": filters,
        "page": page,
        "summary": summary,
        "years": _year_choices(filters.year),
        "status_choices": dashboard.STATUS_CHOICES,
        "status_labels": dashboard.STATUS_LABELS,
        "lateness_labels": dashboard.LATENESS_LABELS,
        "sort_links": _sort_links(filters),
        "regions": picker,
        "status_chart": charts.status_distribution(summary.statuses()),
        "region_chart": charts.region_by_agency(scope.path, filters.year),
        "jan31": date(filters.year + 1, 1, 31),
        "export_in_background": export_in_background,
        "export_fields": {"year": filters.year, **dashboard.export_params(filters)},
    }
    return render(request, "oversight/home.html", context)


def _within(scope: Agency, filters: dashboard.Filters) -> Agency | None:
    """The sub-region filter's agency; 404 for one outside the user's subtree."""
    if filters.within is None:
        return None
    return get_object_or_404(dashboard.agencies_beneath(scope), pk=filters.within)


def _sort_links(filters: dashboard.Filters) -> list[tuple[str, str, str, str]]:
    """Column headers: a click sorts by the column, a second click reverses."""
    links = []
    for key, label in dashboard.SORTS.items():
        current = key == filters.sort
        descending = current and not filters.descending
        query = filters.query(sort=("-" if descending else "") + key, page="")
        arrow = (" ▼" if filters.descending else " ▲") if current else ""
        links.append((key, label, query, arrow))
    return links


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def home_xlsx(request: AuthedRequest) -> HttpResponseBase:
    """The table as XLSX: written in the request up to ``xlsx.ROWS_IN_REQUEST`` rows; a
    POST (the page's button above that) makes it an export job."""
    scope = oversight_scope_of(request.user)
    query = request.POST if request.method == "POST" else request.GET
    filters = dashboard.Filters.from_query(query, _default_year())
    within = _within(scope, filters)
    if request.method == "POST":
        params = dashboard.export_params(filters)
        return exports.in_background(request, JobKind.PROGRESS_XLSX, filters.year, scope, params)
    rows = dashboard.filtered_rows(scope, filters, date.today(), within)
    total = _row_count(scope, filters, rows)
    if total > xlsx.ROWS_IN_REQUEST:
        page = f"{reverse('oversight:home')}?{filters.query()}"
        return exports.too_long(request, f"{total}个机关", page)
    data = dashboard.export_rows(rows, filters.year)
    body = xlsx.streamed_workbook(
        dashboard.export_sheet(filters.year), dashboard.EXPORT_HEADER, data
    )
    return attachment(body, f"{dashboard.export_title(scope, filters.year)}.xlsx")


def _row_count(scope: Agency, filters: dashboard.Filters, rows: Any) -> int:
    """How many rows the table has: the stored count for the whole scope, else a COUNT."""
    if not dashboard.is_filtered(filters):
        return dashboard.summary(scope, filters.year, date.today()).total
    return rows.count()


# The page lists the first agencies only; the exports list them all.
PAGE_LIST_LIMIT = 100


def _rollup_scope(request: AuthedRequest) -> tuple[Agency, Agency, int]:
    """The user's scope, the agency rolled up (the scope unless ``parent`` names one
    beneath it; 404 outside) and the year, from the query (the form, for a POST)."""
    scope = oversight_scope_of(request.user)
    query = request.POST if request.method == "POST" else request.GET
    parent = scope
    if query.get("parent"):
        try:
            pk = int(query["parent"])
        except ValueError:
            raise Http404("no such agency") from None
        parent = get_object_or_404(scope.subtree(), pk=pk)
    year = dashboard.Filters.from_query(query, _default_year()).year
    return scope, parent, year


@login_required
@require_safe
def rollup(request: AuthedRequest) -> HttpResponse:
    scope, parent, year = _rollup_scope(request)
    # No choice is the whole scope, the select's first option as before the picker.
    picker = pickers.pick(
        request,
        dashboard.regions(scope, year),
        param="parent",
        label="汇总范围",
        chosen=None if parent.pk == scope.pk else parent,
        empty_label=scope.name,
    )
    if picker.redirect_query:
        return redirect(f"{request.path}?{picker.redirect_query}")
    result = rollups.compute(year, parent, limit=PAGE_LIST_LIMIT)
    sections = [
        (s.heading, rendering.build_table(s.key, result.figures))
        for s in schema.SECTIONS
        if s.key in schema.NOTE_KEYS
    ]
    context = {
        "rollup": result,
        "sections": sections,
        "years": _year_choices(result.year),
        "parents": picker,
        # Its XLSX names every agency included and missing.
        "export_in_background": result.agency_rows > xlsx.ROWS_IN_REQUEST,
        "export_fields": {"year": result.year, "parent": parent.pk},
        "status_counts": [
            (dashboard.STATUS_LABELS[key], count) for key, count in result.status_counts.items()
        ],
        "included": [
            (i["agency"], dashboard.STATUS_LABELS[i["status"]], i["report_id"])
            for i in result.included
        ],
    }
    return render(request, "oversight/rollup.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rollup_export(request: AuthedRequest, fmt: str) -> HttpResponseBase:
    """The roll-up as XLSX, JSON or PDF. The XLSX lists every agency: above
    ``xlsx.ROWS_IN_REQUEST`` of them a POST (the page's button) makes it an export job,
    and a GET goes back to the page, which offers that."""
    if fmt not in ("xlsx", "json", "pdf"):
        raise Http404("unknown format")
    if request.method == "POST" and fmt != "xlsx":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    _, parent, year = _rollup_scope(request)
    if request.method == "POST":
        return exports.in_background(request, JobKind.ROLLUP_XLSX, year, parent, {})
    if fmt == "xlsx" and (rows := rollups.agency_rows(parent, year)) > xlsx.ROWS_IN_REQUEST:
        page = f"{reverse('oversight:rollup')}?year={year}&parent={parent.pk}"
        return exports.too_long(request, f"{rows:,}行机关名单", page)
    result = rollups.compute(year, parent)
    name = f"{result.title}.{fmt}"
    if fmt == "xlsx":
        return attachment(rollup_workbook(result), name)
    if fmt == "json":
        body = json.dumps(result.as_json(), ensure_ascii=False, indent=1).encode()
        return attachment(body, name)
    return attachment(pdf.document_pdf(result.document()), name)


@login_required
@require_safe
def agency_charts(request: AuthedRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(access.agencies_visible_to(request.user), pk=pk)
    chart = charts.agency_outcomes_by_year(agency.pk)
    reports = (
        Report.objects.current()
        .filter(agency=agency)
        .order_by("-year")
        .only("pk", "year", "title", "status", "revision")
    )
    return render(
        request,
        "oversight/agency.html",
        {"agency": agency, "chart": chart, "reports": reports},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def urge(request: AuthedRequest) -> HttpResponse:
    """催报: choose late agencies beneath one's own and tell their clerks and reviewers."""
    if not access.can_urge(request.user):
        raise PermissionDenied("只有主管部门的用户可以催报。")
    today = timezone.localdate()
    chosen: list[int] = []
    message = ""
    error = ""
    if request.method == "POST":
        message = request.POST.get("message", "")
        try:
            chosen = [int(pk) for pk in request.POST.getlist("agency")]
            urged = reminders.urge(request.user, chosen, message, today)
        except ValueError:
            error = "所选机关无效，请重新选择。"
        except reminders.UrgeError as refused:
            error = str(refused)
        else:
            names = "、".join(d.agency.name for d in urged)
            messages.success(request, f"已向{len(urged)}个机关发送催报：{names}。")
            return redirect("oversight:urge")
    dues = reminders.urgeable(request.user, today)
    context = {
        "dues": dues,
        "chosen": set(chosen) if error else {d.agency.pk for d in dues if d.is_overdue},
        "message": message,
        "error": error,
        "report_year": reporting_year(today),
        "max_message": reminders.MAX_MESSAGE,
    }
    return render(request, "oversight/urge.html", context, status=400 if error else 200)
