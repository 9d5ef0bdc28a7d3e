"""What waits for each user on the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from reports.models import Agency, Report, Role, Status
from reports.models.report import first_publication
from reports.spec.calendar import days_late, deadline_for

# How long before the deadline the oversight inbox starts listing missing reports.
DEADLINE_WARNING = timedelta(days=30)


@dataclass
class AgencyDue:
    agency: Agency
    year: int
    deadline: date
    report: Report | None  # the current revision, whatever its state
    published_on: date | None
    today: date

    @property
    def is_late(self) -> bool:
        if self.published_on is not None:
            return self.published_on > self.deadline
        return False

    @property
    def days_late(self) -> int:
        return days_late(self.published_on, self.deadline)

    @property
    def is_overdue(self) -> bool:
        return self.published_on is None and self.today > self.deadline

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


def oversight_dues(user: Any, today: date) -> list[AgencyDue]:
    """Agencies beneath the oversight user's whose report for last year is late or
    missing, once the deadline is near (30 days) or past."""
    year = today.year - 1
    agencies = Agency.objects.filter(path__startswith=user.agency.path).exclude(pk=user.agency_id)
    reports = (
        Report.objects.current()
        .filter(agency__in=agencies, year=year)
        .annotate(first_published=first_publication())
    )
    current = {r.agency_id: r for r in reports}
    dues = []
    for agency in agencies:
        deadline = deadline_for(year, agency.is_government)
        if today < deadline - DEADLINE_WARNING:
            continue
        report = current.get(agency.pk)
        published = getattr(report, "first_published", None)
        # As seen on ``today``: a publication after it has not happened yet.
        if published is not None and published > today:
            published = None
        due = AgencyDue(agency, year, deadline, report, published, today)
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
        inbox["returned"] = visible.filter(status=Status.RETURNED).with_return_comment()
        inbox["drafts"] = visible.filter(status=Status.DRAFT)
    elif user.role == Role.OVERSIGHT and user.agency_id:
        inbox["dues"] = oversight_dues(user, today)
        inbox["report_year"] = today.year - 1
    return inbox
