"""Review and approval: the states of a report, who may move it, and the event log.

The transitions are methods of ``Report`` (mixed in from ``WorkflowMixin``): each checks
the current state and the actor, runs in one transaction on a locked row and writes a
``ReportEvent``. Views only call them and show the ``WorkflowError`` they raise.

A published report is never changed again: a correction is a new *revision* (a copy
with ``revision + 1``) that goes through the same states; the published one stays
visible until the revision is published in turn.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from . import models as m  # the module that imports this one: names are read at call time

logger = logging.getLogger(__name__)


class WorkflowError(Exception):
    """A transition that is not allowed. ``forbidden`` marks a refusal because of who
    the actor is (HTTP 403), as opposed to the report's state or content."""

    def __init__(self, message: str, *, forbidden: bool = False, findings: list | None = None):
        super().__init__(message)
        self.message = message
        self.forbidden = forbidden
        self.findings = findings or []


class EventKind(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回修改"
    PUBLISH = "publish", "发布"
    REVISE = "revise", "发起修订"
    CORRECT = "correct", "退回更正"


class ReportEvent(models.Model):
    """One step of a report's workflow. Never updated, never pruned."""

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="events", verbose_name="报告"
    )
    kind = models.CharField("操作", max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    comment = models.TextField("意见", blank=True)
    # For a submission: the warnings and the submitter's explanation of each.
    explanations = models.JSONField("警告说明", default=list, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def from_label(self) -> str:
        return m.Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return m.Status(self.to_status).label


def warning_key(finding) -> str:
    """A stable name for a warning, so that the explanation typed for it on the page
    is matched to the same warning when the submission is checked again."""
    digest = hashlib.sha1(f"{finding.rule}\n{finding.message}".encode()).hexdigest()
    return f"{finding.rule}-{digest[:10]}"


@dataclass
class SubmitCheck:
    errors: list
    warnings: list


def _after_publish(report) -> None:
    """Called once a report is published, inside the publishing transaction.

    The published PDF (PDF/A-3b) is rendered once the publication is committed: a
    rendering failure must not undo the publication, and a report whose PDF could not
    be stored gets it stored on its first download (``reports.pdf.report_pdf``).
    """

    def store() -> None:
        from .pdf import store_published_pdf

        try:
            store_published_pdf(report)
        except Exception:
            logger.exception("could not store the published PDF of report %s", report.pk)

    transaction.on_commit(store)


class WorkflowMixin:
    """The transitions of ``Report``. Every method raises ``WorkflowError`` with a
    Chinese message when the actor or the state does not allow it."""

    # --- who is who ----------------------------------------------------------------

    def _is_member(self, user, role) -> bool:
        return (
            user.is_authenticated
            and user.role == role
            and user.agency_id is not None
            and user.agency_id == self.agency_id
        )

    def is_clerk_of(self, user) -> bool:
        return self._is_member(user, m.Role.CLERK)

    def is_reviewer_of(self, user) -> bool:
        return self._is_member(user, m.Role.REVIEWER)

    def is_overseen_by(self, user) -> bool:
        return (
            user.is_authenticated
            and user.role == m.Role.OVERSIGHT
            and user.agency_id is not None
            and self.agency.path.startswith(user.agency.path)
        )

    # --- what the page offers --------------------------------------------------------

    def submit_check(self) -> SubmitCheck:
        findings = self.findings()
        return SubmitCheck(
            errors=[f for f in findings if f.severity == "error"],
            warnings=[f for f in findings if f.severity == "warning"],
        )

    def last_event(self, kind: str | None = None):
        events = self.events.all()
        if kind is not None:
            events = events.filter(kind=kind)
        return events.order_by("-at", "-pk").select_related("actor").first()

    @property
    def submitter(self):
        event = self.last_event(EventKind.SUBMIT)
        return event.actor if event else None

    def return_comment(self, events: list[ReportEvent] | None = None) -> str:
        """The reviewer's (or oversight's) comment while the report is returned. A page
        that has loaded the report's events passes them, and no query is made."""
        if self.status != m.Status.RETURNED:
            return ""
        if events is None:
            events = list(self.events.filter(to_status=m.Status.RETURNED))
        returned = [e for e in events if e.to_status == m.Status.RETURNED]
        return returned[-1].comment if returned else ""  # events are oldest first

    def can_submit(self, user) -> bool:
        return self.status in m.EDITABLE_STATUSES and self.is_clerk_of(user)

    def can_review(self, user) -> bool:
        return self.status == m.Status.SUBMITTED and self.is_reviewer_of(user)

    def can_publish(self, user) -> bool:
        return self.status == m.Status.APPROVED and self.is_reviewer_of(user)

    def can_start_revision(self, user) -> bool:
        return (
            self.status == m.Status.PUBLISHED
            and self.is_clerk_of(user)
            and not self.has_newer_revision()
        )

    def can_send_for_correction(self, user) -> bool:
        return (
            self.status == m.Status.PUBLISHED
            and self.is_overseen_by(user)
            and not self.has_newer_revision()
        )

    def has_newer_revision(self) -> bool:
        return m.Report.objects.filter(
            agency_id=self.agency_id, year=self.year, revision__gt=self.revision
        ).exists()

    # --- transitions --------------------------------------------------------------

    def _lock(self) -> None:
        """Lock the row and re-read it, so that two transitions cannot interleave and
        the checks judge what is stored now, not what this instance was loaded with."""
        m.Report.objects.select_for_update().filter(pk=self.pk).exists()
        self.refresh_from_db()
        # The sub-sections may have been prefetched or cached before the lock.
        self._prefetched_objects_cache = {}

    def _move(self, actor, kind: str, to_status: str, comment: str = "", explanations=()) -> None:
        from_status = self.status
        self.status = to_status
        # Only the workflow columns: content is never written by a transition.
        self.save(update_fields=["status", "published_on"])
        ReportEvent.objects.create(
            report=self,
            kind=kind,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            explanations=list(explanations),
        )

    def submit(self, user, explanations: dict[str, str] | None = None) -> None:
        """草稿/已退回 → 待审核, by a clerk of the agency. Blocked by any error; each
        warning needs a written explanation."""
        explanations = explanations or {}
        with transaction.atomic():
            self._lock()
            if not self.is_clerk_of(user):
                raise WorkflowError("只有本机关的填报人可以提交审核。", forbidden=True)
            if self.status not in m.EDITABLE_STATUSES:
                raise WorkflowError(
                    f"本报告状态为“{self.get_status_display()}”，只有草稿或已退回的报告可以提交。"
                )
            check = self.submit_check()
            if check.errors:
                raise WorkflowError(
                    f"检查发现{len(check.errors)}项错误，更正后才能提交审核。",
                    findings=check.errors,
                )
            missing = [
                f for f in check.warnings if not (explanations.get(warning_key(f)) or "").strip()
            ]
            if missing:
                raise WorkflowError(
                    f"有{len(missing)}项警告尚未填写说明，请逐项说明后再提交。",
                    findings=missing,
                )
            written = [
                {
                    "rule": f.rule,
                    "message": f.message,
                    "explanation": explanations[warning_key(f)].strip(),
                }
                for f in check.warnings
            ]
            self._move(user, EventKind.SUBMIT, m.Status.SUBMITTED, explanations=written)

    def approve(self, user, comment: str = "") -> None:
        """待审核 → 已审核, by a reviewer of the agency who did not submit it."""
        with transaction.atomic():
            self._lock()
            if not self.is_reviewer_of(user):
                raise WorkflowError("只有本机关的审核人可以审核。", forbidden=True)
            if self.status != m.Status.SUBMITTED:
                raise WorkflowError(
                    f"本报告状态为“{self.get_status_display()}”，只有待审核的报告可以审核通过。"
                )
            submitter = self.submitter
            if submitter is not None and submitter.pk == user.pk:
                raise WorkflowError("提交人不能审核自己提交的报告。", forbidden=True)
            errors = self.submit_check().errors
            if errors:
                raise WorkflowError(
                    f"检查发现{len(errors)}项错误，不能审核通过，请退回修改。", findings=errors
                )
            self._move(user, EventKind.APPROVE, m.Status.APPROVED, comment=comment.strip())

    def return_to_clerk(self, user, comment: str) -> None:
        """待审核 → 已退回, by a reviewer of the agency, with a required comment."""
        comment = (comment or "").strip()
        with transaction.atomic():
            self._lock()
            if not self.is_reviewer_of(user):
                raise WorkflowError("只有本机关的审核人可以退回报告。", forbidden=True)
            if self.status != m.Status.SUBMITTED:
                raise WorkflowError(
                    f"本报告状态为“{self.get_status_display()}”，只有待审核的报告可以退回。"
                )
            if not comment:
                raise WorkflowError("退回时必须填写退回意见，说明需要修改的内容。")
            self._move(user, EventKind.RETURN, m.Status.RETURNED, comment=comment)

    def publish(self, user) -> None:
        """已审核 → 已发布, by a reviewer of the agency; records the publication date."""
        with transaction.atomic():
            self._lock()
            if not self.is_reviewer_of(user):
                raise WorkflowError("只有本机关的审核人可以发布报告。", forbidden=True)
            if self.status != m.Status.APPROVED:
                raise WorkflowError(
                    f"本报告状态为“{self.get_status_display()}”，只有已审核的报告可以发布。"
                )
            self.published_on = timezone.localdate()
            self._move(user, EventKind.PUBLISH, m.Status.PUBLISHED)
            _after_publish(self)

    def start_revision(self, user):
        """A clerk corrects a published report: a new draft revision, the published
        version untouched."""
        with transaction.atomic():
            self._lock()
            if not self.is_clerk_of(user):
                raise WorkflowError("只有本机关的填报人可以发起修订。", forbidden=True)
            return self._new_revision(user, EventKind.REVISE, m.Status.DRAFT, "")

    def send_for_correction(self, user, comment: str):
        """Oversight sends a published report back: a new revision, returned to the
        agency's clerk with the comment."""
        comment = (comment or "").strip()
        with transaction.atomic():
            self._lock()
            if not self.is_overseen_by(user):
                raise WorkflowError(
                    "只有上级主管部门可以退回已发布的报告要求更正。", forbidden=True
                )
            if not comment:
                raise WorkflowError("退回更正时必须填写意见，说明需要更正的内容。")
            return self._new_revision(user, EventKind.CORRECT, m.Status.RETURNED, comment)

    def _new_revision(self, user, kind: str, status: str, comment: str):
        if self.status != m.Status.PUBLISHED:
            raise WorkflowError("只有已发布的报告可以修订；未发布的报告请直接修改。")
        if self.has_newer_revision():
            raise WorkflowError("本报告已有一份修订稿在办理中，请在修订稿上继续修改。")
        revision = self.copy_as_revision(user)
        ReportEvent.objects.create(
            report=revision,
            kind=kind,
            actor=user,
            from_status=m.Status.PUBLISHED,
            to_status=status,
            comment=comment,
        )
        if status != revision.status:
            revision.status = status
            revision.save(update_fields=["status"])
        return revision

    def copy_as_revision(self, user):
        """A draft copy of this report, one revision number higher, with its
        sub-sections; the original is not touched."""
        names = [
            f.name
            for f in m.Report._meta.concrete_fields
            if f.name
            not in (
                "id",
                "status",
                "published_on",
                "revision",
                "version",
                "created_by",
                "created_at",
                "updated_at",
            )
        ]
        copy = m.Report(
            **{name: getattr(self, name) for name in names},
            revision=self.revision + 1,
            created_by=user,
        )
        copy.save()
        bulk_create_with_history(
            [
                m.GeneralSection(report=copy, position=s.position, heading=s.heading, body=s.body)
                for s in self.general.all()
            ],
            m.GeneralSection,
            default_user=user,
        )
        return copy

    # --- publication ----------------------------------------------------------------

    @property
    def days_late(self) -> int:
        """Days past the deadline at publication (R13); 0 when on time or unpublished."""
        if self.published_on is None:
            return 0
        return max((self.published_on - self.deadline).days, 0)


def with_return_comment(queryset):
    """Annotate each report with the comment it was last returned with (for lists)."""
    last_return = ReportEvent.objects.filter(
        report_id=models.OuterRef("pk"), to_status=m.Status.RETURNED
    ).order_by("-at", "-pk")
    return queryset.annotate(last_return_comment=models.Subquery(last_return.values("comment")[:1]))
