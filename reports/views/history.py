"""The whole workflow log and change history of one report, a page at a time.

The report page shows only the newest of each; these pages go back from there with a
keyset cursor (``before``: an id), so that the page of a report saved thousands of times
costs what the first page costs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reports.models import saves
from reports.views.http import AuthedRequest
from reports.views.reports import get_report_for

EVENTS_PAGE_SIZE = 50


def _cursor(raw: str | None) -> int | None:
    """The ``before`` parameter; anything but a positive number is the first page."""
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else None


@login_required
@require_safe
def report_history(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    before = _cursor(request.GET.get("before"))
    page = saves.field_history_page(report, before)
    return render(
        request,
        "reports/report_history.html",
        {"report": report, "field_history": page.entries, "page": page, "before": before},
    )


@login_required
@require_safe
def report_events(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    before = _cursor(request.GET.get("before"))
    events = report.events.select_related("actor").order_by("-pk")
    if before is not None:
        events = events.filter(pk__lt=before)
    rows = list(events[: EVENTS_PAGE_SIZE + 1])
    shown = rows[:EVENTS_PAGE_SIZE]
    return render(
        request,
        "reports/report_events.html",
        {
            "report": report,
            "events": shown,
            "next_before": shown[-1].pk if len(rows) > EVENTS_PAGE_SIZE else None,
            "before": before,
        },
    )
