"""The signed-in pages of reports: the inbox, the list, the report page and its
preview (the section editor is in ``editor``). Function-based, control flow written out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from reports.io.forms import NewReportForm
from reports.io.newyear import start_report
from reports.models import (
    EventKind,
    Report,
    ReportEvent,
    Verdict,
    access,
    provenance,
    saves,
    triage,
)
from reports.models import review as reviewing
from reports.models.prepared import PreparedQuery
from reports.models.report import LIST_ORDER
from reports.models.workflow import warning_key
from reports.oversight.inbox import inbox_for
from reports.printing import render as rendering
from reports.views.http import AuthedRequest

LIST_PAGE_SIZE = 50
# How many workflow events the report page shows (the newest).
EVENTS_SHOWN = 20


def get_report_for(user: Any, pk: int, **annotations: Any) -> Report:
    """The report if ``user`` may see it; 404 otherwise, so that outsiders cannot even
    learn that it exists. ``annotations``: what a page reads with the report's row."""
    queryset = Report.objects.visible_to(user)
    if not access.sees_own_agency_only(user):
        return get_object_or_404(queryset.select_related("agency").annotate(**annotations), pk=pk)
    # The user's agency, loaded with the user: not joined again (bench/editor.py).
    report = get_object_or_404(queryset.annotate(**annotations), pk=pk)
    report.agency = user.agency
    return report


class ReportRead:
    """``get_report_for(user, pk, **flags())``, where a clerk's or reviewer's report, of
    their own agency, is read by SQL compiled once per process (``PreparedQuery``) and
    takes the agency loaded with the user: compiling the row's 192 columns and the
    flags' subqueries cost Django 1 ms of every page, half the signed-in floor, where
    the database answers in 0.1 ms (bench/editor.py, bench/load.py)."""

    def __init__(self, flags: Callable[[], dict[str, Any]]) -> None:
        self.flags = flags
        self.names = tuple(flags())
        self.query = PreparedQuery(self._read)

    def _read(self, pk: int, agency: int) -> QuerySet[Report, tuple[Any, ...]]:
        reports = Report.objects.filter(access.own_agency_reports(agency), pk=pk)
        return reports.annotate(**self.flags()).values_list(*Report.columns(), *self.names)

    def get(self, user: Any, pk: int) -> Report:
        if not access.sees_own_agency_only(user):
            return get_report_for(user, pk, **self.flags())
        rows = self.query.rows(pk=pk, agency=user.agency_id)
        if not rows:
            raise Http404("no such report")
        report = Report.from_row(rows[0], self.names)
        report.agency = user.agency
        return report


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Each user's inbox; visitors who are not logged in get the public site."""
    if not request.user.is_authenticated:
        return redirect("public:list")
    after = request.GET.get("after") or None
    context = inbox_for(request.user, timezone.localdate(), after)
    context["after"] = after
    return render(request, "reports/home.html", context)


@login_required
@require_safe
def report_list(request: AuthedRequest) -> HttpResponse:
    form = None
    if access.can_create_report(request.user) and request.user.agency is not None:
        form = NewReportForm(agency=request.user.agency)
    return render(request, "reports/report_list.html", _list_context(request, form))


def _list_context(request: AuthedRequest, form: NewReportForm | None) -> dict:
    """One page of the reports the user may see: an oversight office over thousands of
    agencies must not receive every report (and every cell column) at once. ``after``
    (a report's id) is the keyset cursor of the next page."""
    reports = (
        Report.objects.visible_to(request.user)
        .with_return_comment()
        .select_related("agency")
        .only(
            "pk",
            "year",
            "title",
            "status",
            "revision",
            "updated_at",
            "completion",
            "agency__name",
        )
        .order_by(*LIST_ORDER)
    )
    after = request.GET.get("after", "")
    if after.isdigit():
        reports = reports.listed_after(int(after))
    rows = list(reports[: LIST_PAGE_SIZE + 1])
    next_after = rows[LIST_PAGE_SIZE - 1].pk if len(rows) > LIST_PAGE_SIZE else None
    return {
        "reports": rows[:LIST_PAGE_SIZE],
        "after": after if after.isdigit() else "",
        "next_after": next_after,
        "form": form,
    }


@login_required
@require_POST
def report_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not access.can_create_report(user) or user.agency is None:
        raise PermissionDenied("只有填报人可以新建年度报告。")
    form = NewReportForm(request.POST, agency=user.agency)
    if not form.is_valid():
        return render(request, "reports/report_list.html", _list_context(request, form), status=400)
    report = start_report(user.agency, form.cleaned_data["year"], created_by=user)
    messages.success(request, f"已新建{report.title}。")
    if report.prefilled:  # type: ignore[attr-defined]
        prefilled = report.prefilled  # type: ignore[attr-defined]
        messages.info(request, prefilled[0] + "、".join(prefilled[1:]) + "。")
    return redirect("reports:section", pk=report.pk, section="info")


def detail_flags() -> dict[str, Any]:
    """Whether there are workflow events, triage marks, 批注 or an import log to show,
    read with the report's row: a clerk's new draft has none of them, and its page
    makes four queries fewer."""
    return {
        "logged": Exists(ReportEvent.objects.filter(report=OuterRef("pk"))),
        "marked": triage.marked(),
        "annotated": reviewing.annotated_anywhere(),
        "imported": provenance.imported(),
    }


_DETAIL_READ = ReportRead(detail_flags)


@login_required
@require_safe
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _DETAIL_READ.get(request.user, pk)
    return render(request, "reports/report_detail.html", detail_context(report, request.user))


def detail_context(
    report: Report, user: Any, explanations: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the report page shows: the checks, the actions this user may take, the
    warnings to explain (with what was typed, when a submission is shown again), the
    last submission's explanations, the event log, the per-field history and the
    other revisions."""
    judged, progress = triage.judge(report)
    findings = [j.finding for j in judged]
    explanations = explanations or {}
    warnings = [
        (warning_key(f), f, explanations.get(warning_key(f), ""))
        for f in findings
        if f.severity == "warning"
    ]
    # The newest events only, oldest first as a log reads: a report's page must not
    # grow with its history (the events page has the rest).
    newest = _newest_events(report)
    events = newest[:EVENTS_SHOWN][::-1]
    # With the whole log at hand the last submission and the return comment are in it;
    # a long log is asked for them.
    complete = len(newest) <= EVENTS_SHOWN
    submissions = [e for e in events if e.kind == EventKind.SUBMIT]
    page = saves.field_history_page(report)
    return {
        "report": report,
        "findings": findings,
        "progress": progress,
        "judged": [j for j in judged if not j.folded],
        "folded": [j for j in judged if j.folded],
        "can_triage": access.can_triage(user, report),
        "verdicts": Verdict.choices,
        "can_edit": report.can_edit(user),
        "can_submit": report.can_submit(user),
        "can_review": report.can_review(user),
        "can_publish": (can_publish := report.can_publish(user)),
        "publish_days_late": report.days_late_if_published(timezone.localdate())
        if can_publish
        else 0,
        "can_start_revision": report.can_start_revision(user),
        "can_send_for_correction": report.can_send_for_correction(user),
        "submit_errors": [f for f in findings if f.severity == "error"],
        "submit_warnings": warnings,
        "last_submit": (submissions[-1] if submissions else None)
        if complete
        else report.last_event(EventKind.SUBMIT),
        "return_comment": report.return_comment(events if complete else None),
        "events": events,
        "events_more": not complete,
        "field_history": page.entries,
        "history_page": page,
        "annotations": (annotations := _annotations(report)),
        "open_annotations": [a for a in annotations if a.is_open],
        "import_log": (log := _import_log(report)),
        "import_counts": log.state_counts() if log is not None else {},
        "import_to_check": list(log.to_check()) if log is not None else [],
        "can_check_import": access.can_check_import(user, report),
        "revisions": _other_revisions(report),
    }


# A report read without ``detail_flags()`` (by a view that shows the page again after
# a refused step) has no flag: those ask.


def _newest_events(report: Report) -> list[ReportEvent]:
    if not getattr(report, "logged", True):
        return []
    return list(report.events.select_related("actor").order_by("-at", "-pk")[: EVENTS_SHOWN + 1])


def _annotations(report: Report) -> list:
    if not getattr(report, "annotated", True):
        return []
    return list(report.annotations.with_thread())


def _import_log(report: Report) -> provenance.ImportLog | None:
    if not getattr(report, "imported", True):
        return None
    return provenance.latest_log(report)


def _other_revisions(report: Report) -> Any:
    """The agency's other reports for the year. The current one of revision 0 has
    none: a correction would be a newer revision, and current in its place."""
    if report.revision == 0 and report.is_current:
        return []
    # Only what the list of revisions shows: a report row carries ~170 cell columns.
    return (
        Report.objects.filter(agency_id=report.agency_id, year=report.year)
        .exclude(pk=report.pk)
        .only("pk", "revision", "status", "published_on")
        .order_by("revision")
    )


@login_required
@require_safe
def report_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for(request.user, pk)
    return render(
        request,
        "reports/report_preview.html",
        {
            "report": report,
            "can_edit": report.can_edit(request.user),
            "rendered": rendering.render_document(report.document()),
        },
    )
