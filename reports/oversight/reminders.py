"""催报 and deadline reminders: telling the clerks and reviewers of an agency that its
annual report is due or late.

- 催报: an oversight user chooses agencies beneath theirs whose report for last year is
  not published, though due within 30 days or late (``inbox.oversight_dues``), and
  each agency's clerks and reviewers get a notice and an e-mail.
- Reminders: ``REMINDER_DAYS_BEFORE`` days before the deadline (31 January for a
  department, 31 March for a government), every agency whose report is not yet
  published is reminded once. The task worker runs ``deadline_reminders`` once a day at
  ``REMINDER_HOUR``: each run schedules the next (django-tasks' ``run_after``; the
  project's task framework has no periodic tasks of its own), and ``manage.py
  schedule_reminders`` starts the chain. A run that was missed (the worker was down)
  catches up, since every agency still unreminded inside the window is reminded.

Notices are sent through ``reports.models.notices.deliver``, like every other notice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from reports.models import Agency, NoticeKind, Report, Role, Status
from reports.models.notices import Notice, deliver, members
from reports.oversight.inbox import AgencyDue, oversight_dues
from reports.spec.calendar import chinese_date, deadline_for, reporting_year

MAX_MESSAGE = 500
# At most this many agencies on the 催报 page (the oversight inbox's dues, in tree order).
MAX_AGENCIES = 1000


class UrgeError(Exception):
    """A 催报 that cannot be sent, with the Chinese message saying why."""


def act_url(report_id: int | None) -> str:
    """Where an agency acts on its report: the report, or the list to start it from."""
    if report_id is None:
        return reverse("reports:list")
    return reverse("reports:detail", args=[report_id])


def _state(report_id: int | None, label: str) -> str:
    return "尚未开始填报" if report_id is None else f"当前状态为“{label}”"


# --- 催报 -------------------------------------------------------------------------------


def urgeable(user: Any, today: date) -> list[AgencyDue]:
    """The agencies beneath ``user``'s whose report for last year is due soon or late
    and not published: whom a 催报 may go to."""
    return [d for d in oversight_dues(user, today, size=MAX_AGENCIES) if d.published_on is None]


def urge(user: Any, agency_ids: list[int], message: str, today: date) -> list[AgencyDue]:
    """Send a 催报 to the clerks and reviewers of each chosen agency; returns those
    urged. Agencies that are not ``urgeable`` by ``user`` are refused, not skipped."""
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise UrgeError(f"催报说明不能超过{MAX_MESSAGE}字。")
    dues = {d.agency.pk: d for d in urgeable(user, today)}
    if not agency_ids:
        raise UrgeError("请至少选择一个机关。")
    unknown = [pk for pk in agency_ids if pk not in dues]
    if unknown:
        raise UrgeError("所选机关中有不需要催报或不属于本机关下级的机关，请重新选择。")
    office = user.agency.name if user.agency else "上级主管部门"
    chosen = [dues[pk] for pk in dict.fromkeys(agency_ids)]
    with transaction.atomic():
        for due in chosen:
            when = f"已逾期{due.days_overdue}天" if due.is_overdue else f"还有{due.days_left}天"
            body = (
                f"{office}催报：{due.agency.name}{due.year}年政府信息公开工作年度报告的截止日期为"
                f"{chinese_date(due.deadline)}，{when}，{_state(due.report_id, due.status_label)}，"
                "尚未发布。"
                "请尽快完成填报、审核和发布。"
            )
            if message:
                body += f"\n说明：{message}"
            deliver(
                members(due.agency.pk, Role.CLERK, Role.REVIEWER),
                NoticeKind.URGE,
                f"催报：{due.agency.name}{due.year}年度报告",
                body,
                act_url(due.report_id),
                sender=user,
                report_id=due.report_id,
                agency=due.agency,
                year=due.year,
            )
    return chosen


# --- reminders before the deadline ----------------------------------------------------


def send_deadline_reminders(today: date) -> int:
    """Remind every agency whose report for last year is due within
    ``REMINDER_DAYS_BEFORE`` days and not published, once; returns how many were."""
    year = reporting_year(today)
    window = timedelta(days=settings.REMINDER_DAYS_BEFORE)
    reminded = set(
        Notice.objects.filter(kind=NoticeKind.REMINDER, year=year).values_list(
            "agency_id", flat=True
        )
    )
    current = {
        r.agency_id: r
        for r in Report.objects.current()
        .filter(year=year)
        .only("pk", "agency_id", "status", "revision")
    }
    sent = 0
    for agency in Agency.objects.exclude(pk__in=reminded).only("pk", "name", "is_government"):
        deadline = deadline_for(year, agency.is_government)
        if not deadline - window <= today <= deadline:
            continue
        report = current.get(agency.pk)
        # A correction under way leaves the report published.
        if report is not None and (report.status == Status.PUBLISHED or report.revision > 0):
            continue
        left = (deadline - today).days
        body = (
            f"{agency.name}{year}年政府信息公开工作年度报告的截止日期为{chinese_date(deadline)}，"
            f"{'今天截止' if left == 0 else f'还有{left}天'}，"
            f"{_state(report.pk, report.get_status_display()) if report else _state(None, '')}。"
            "请按期完成填报、审核和发布。"
        )
        notices = deliver(
            members(agency.pk, Role.CLERK, Role.REVIEWER),
            NoticeKind.REMINDER,
            f"截止提醒：{agency.name}{year}年度报告",
            body,
            act_url(report.pk if report else None),
            report_id=report.pk if report else None,
            agency=agency,
            year=year,
        )
        sent += bool(notices)
    return sent


def next_run(now: datetime) -> datetime:
    """The next ``REMINDER_HOUR`` o'clock, local time, after ``now``."""
    local = timezone.localtime(now)
    run = local.replace(hour=settings.REMINDER_HOUR, minute=0, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


def _waiting() -> bool:
    """Whether a run of ``deadline_reminders`` is queued already (one chain only)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    # Not ``DBTaskResult.objects.ready()``: that leaves out runs queued for later.
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deadline_reminders.module_path
    ).exists()


def schedule(now: datetime | None = None, *, at_once: bool = False) -> bool:
    """Queue the next run (``at_once``: now, to catch up) unless one is queued; False
    when nothing was queued, or the task backend cannot run a task later (the
    immediate backend of a laptop without a worker)."""
    backend = deadline_reminders.get_backend()
    if not backend.supports_defer or _waiting():
        return False
    run_after = timezone.now() if at_once else next_run(now or timezone.now())
    deadline_reminders.using(run_after=run_after).enqueue()
    return True


@task()
def deadline_reminders() -> int:
    sent = send_deadline_reminders(timezone.localdate())
    schedule()
    return sent
