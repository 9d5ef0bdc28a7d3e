"""Notices: what the system tells people, in the app (消息) and by e-mail.

Every notice is sent from here. The workflow transitions send ``report_transition``
(``reports.models.workflow``) inside their transaction, and ``on_transition`` turns each
into notices for the people who act next; 催报 and the deadline reminders
(``reports.oversight.reminders``) call ``deliver``. A notice is a row per recipient,
written in the transaction of what caused it, so that a step undone leaves no notice;
the e-mails go once that transaction has committed, through Django's mail framework
(``EMAIL_*`` settings), and a mail server that fails never undoes a step.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from reports.models.agency import Agency, Role, User
from reports.models.review import AnnotationStatus
from reports.models.states import EventKind
from reports.spec.calendar import chinese_date

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【政府信息公开年度报告】"


class NoticeKind(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    RETURN = "return", "退回修改"
    APPROVE = "approve", "审核通过"
    PUBLISH = "publish", "发布"
    CORRECT = "correct", "退回更正"
    URGE = "urge", "催报"
    REMINDER = "reminder", "截止提醒"


class NoticeQuerySet(models.QuerySet["Notice"]):
    def for_user(self, user: Any) -> NoticeQuerySet:
        """A person's own notices: nobody reads another's."""
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name="收件人",
    )
    kind = models.CharField("类型", max_length=20, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=300)
    body = models.TextField("内容", blank=True)
    # The page to act on, as a path of this site.
    url = models.CharField("链接", max_length=500)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发送人",
    )
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="年度报告",
    )
    # For 催报 and reminders: the agency and report year they are about (a report may
    # not exist yet).
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "消息"
        verbose_name_plural = "消息"
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notice_unread",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# --- delivery -------------------------------------------------------------------------


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def deliver(
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str,
    url: str,
    *,
    sender: Any = None,
    report_id: int | None = None,
    agency: Any = None,
    year: int | None = None,
) -> list[Notice]:
    """One notice per recipient (the sender and duplicates left out) and, once the
    current transaction commits, one e-mail to each who has an address."""
    people: dict[int, Any] = {}
    for person in recipients:
        if person.is_active and (sender is None or person.pk != sender.pk):
            people.setdefault(person.pk, person)
    notices = Notice.objects.bulk_create(
        Notice(
            recipient=person,
            kind=kind,
            title=title,
            body=body,
            url=url,
            sender=sender,
            report_id=report_id,
            agency=agency,
            year=year,
        )
        for person in people.values()
    )
    addresses = [p.email for p in people.values() if p.email]
    if addresses:
        text = (
            f"{body}\n\n请打开：{absolute(url)}\n\n（本邮件由政府信息公开工作年度报告系统发送。）"
        )
        transaction.on_commit(lambda: _send(SUBJECT_PREFIX + title, text, addresses))
    return notices


def _send(subject: str, text: str, addresses: list[str]) -> None:
    """One message per address (nobody sees the others'), over one connection. A mail
    server that refuses is logged: the notices in the app are there all the same."""
    messages = [EmailMessage(subject, text, to=[address]) for address in addresses]
    try:
        get_connection().send_messages(messages)
    except Exception:
        logger.exception("sending %d notice e-mails failed", len(messages))


# --- who is told of each step of the workflow ---------------------------------------


def members(agency_id: int, *roles: str) -> models.QuerySet[User]:
    return User.objects.filter(agency_id=agency_id, role__in=roles, is_active=True)


def oversight_above(agency: Agency) -> models.QuerySet[User]:
    """The oversight users of the agencies above ``agency`` (its path's ancestors)."""
    ancestors = [int(p) for p in agency.path.strip("/").split("/")[:-1] if p]
    return User.objects.filter(agency_id__in=ancestors, role=Role.OVERSIGHT, is_active=True)


def on_transition(sender: Any, report: Any, event: Any, **kwargs: Any) -> None:
    """The notices of one workflow step (``report_transition``), each linking to the
    report page where the next person acts."""
    actor = event.actor
    who = actor.display_name if actor is not None else "系统"
    when = chinese_date(timezone.localdate(event.at))
    name = f"《{report.title}》"
    url = reverse("reports:detail", args=[report.pk])
    comment = f"\n意见：{event.comment}" if event.comment else ""
    returned = event.kind in (EventKind.RETURN, EventKind.CORRECT)
    open_notes = report.annotations.filter(status=AnnotationStatus.OPEN).count() if returned else 0
    notes = f"\n共有{open_notes}条批注待处理，请在各部分页面中逐条答复。" if open_notes else ""
    agency = report.agency
    if event.kind == EventKind.SUBMIT:
        recipients: Any = members(agency.pk, Role.REVIEWER)
        kind, title = NoticeKind.SUBMIT, f"待审核：{name}"
        body = f"{who}于{when}提交了{name}，请审核。"
    elif event.kind == EventKind.RETURN:
        recipients = members(agency.pk, Role.CLERK)
        kind, title = NoticeKind.RETURN, f"已退回修改：{name}"
        body = f"{who}于{when}将{name}退回修改。{comment}{notes}"
    elif event.kind == EventKind.APPROVE:
        recipients = members(agency.pk, Role.CLERK, Role.REVIEWER)
        kind, title = NoticeKind.APPROVE, f"已审核通过，待发布：{name}"
        body = f"{who}于{when}审核通过了{name}，由本机关审核人发布。{comment}"
    elif event.kind == EventKind.PUBLISH:
        recipients = [
            *members(agency.pk, Role.CLERK, Role.REVIEWER),
            *oversight_above(agency),
        ]
        late = report.days_late
        timing = f"逾期{late}天发布" if late else "按期发布"
        kind, title = NoticeKind.PUBLISH, f"已发布：{name}"
        body = f"{who}于{when}发布了{name}（截止日期{chinese_date(report.deadline)}，{timing}）。"
    elif event.kind == EventKind.CORRECT:
        recipients = members(agency.pk, Role.CLERK, Role.REVIEWER)
        kind, title = NoticeKind.CORRECT, f"退回更正：{name}"
        office = actor.agency.name if actor is not None and actor.agency else "上级主管部门"
        body = (
            f"{who}（{office}）于{when}将已发布的{name}退回更正，"
            f"请在修订稿上更正后重新提交审核。{comment}{notes}"
        )
    else:
        return
    deliver(recipients, kind, title, body, url, sender=actor, report_id=report.pk)
