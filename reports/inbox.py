"""What waits for each user on the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .models import Agency, Report, Role, Status
from .workflow import with_return_comment

# How long before the deadline the oversight inbox starts listing missing reports.
DEADLINE_WARNING = timedelta(days=30)


@dataclass
class AgencyDue:
    agency: Agency
    year: int
    deadline: date
    report: Report | None  # the newest revision, whatever its state
    published_on: date | None
    today: date

    @property
    def is_late(self) -> bool:
        if self.published_on is not None:
            return self.published_on > self.deadline
        return False

    @property
    def days_late(self) -> int:
        return max((self.published_on - self.deadline).days, 0) if self.published_on else 0

    @property
    def is_overdue(self) -> bool:
        return self.published_on is None and self.today > self.deadline

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


def deadline_for(agency: Agency, year: int) -> date:
    return date(year + 1, 3 if agency.is_government else 1, 31)


def oversight_dues(user, today: date) -> list[AgencyDue]:
    """Agencies beneath the oversight user's whose report for last year is late or
    missing, once the deadline is near (30 days) or past."""
    year = today.year - 1
    agencies = Agency.objects.filter(path__startswith=user.agency.path).exclude(pk=user.agency_id)
    reports = Report.objects.filter(agency__in=agencies, year=year).order_by("revision")
    newest: dict[int, Report] = {}
    first_published: dict[int, date] = {}
    for report in reports:
        newest[report.agency_id] = report
        # As seen on ``today``: a publication after it has not happened yet.
        published = report.published_on and report.published_on <= today
        if published and report.agency_id not in first_published:
            first_published[report.agency_id] = report.published_on
    dues = []
    for agency in agencies:
        deadline = deadline_for(agency, year)
        if today < deadline - DEADLINE_WARNING:
            continue
        due = AgencyDue(
            agency, year, deadline, newest.get(agency.pk), first_published.get(agency.pk), today
        )
        if due.published_on is None or due.is_late:
            dues.append(due)
    return dues


def inbox_for(user, today: date) -> dict:
    visible = Report.objects.visible_to(user).select_related("agency")
    inbox: dict = {"today": today}
    if user.role == Role.REVIEWER:
        inbox["to_review"] = visible.filter(status=Status.SUBMITTED)
        inbox["to_publish"] = visible.filter(status=Status.APPROVED)
    elif user.role == Role.CLERK:
        inbox["returned"] = with_return_comment(visible.filter(status=Status.RETURNED))
        inbox["drafts"] = visible.filter(status=Status.DRAFT)
    elif user.role == Role.OVERSIGHT and user.agency_id:
        inbox["dues"] = oversight_dues(user, today)
        inbox["report_year"] = today.year - 1
    return inbox
