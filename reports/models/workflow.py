"""Review and approval: the transitions of a report and the event log.

The transitions are methods of ``Report`` (mixed in from ``WorkflowMixin``): each runs
in one transaction on a locked row, checks the actor (``access``) and the state, and
writes a ``ReportEvent``. Views only call them and show the ``WorkflowError`` they raise.

A published report is never changed again: a correction is a new *revision* (a copy
with ``revision + 1`` that becomes the agency's current report for the year) that goes
through the same states; the published one stays on the public site until the revision
is published in turn.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from reports.models import access, counts
from reports.models.states import EDITABLE_STATUSES, RETURN_KINDS, EventKind, Status
from reports.rules import Finding

if TYPE_CHECKING:
    from reports.models.report import Report

# Sent once a publication is committed, with ``report``: the printing package stores
# the published PDF then (reports.apps connects it), so that a rendering failure never
# undoes a publication.
report_published = Signal()
# Sent by every transition inside its transaction, with ``report`` and the ``event`` it
# wrote: the notices (reports.models.notices, connected in reports.apps) are written
# with the step, or not at all.
report_transition = Signal()


class WorkflowError(Exception):
    """A transition that is not allowed. ``forbidden`` marks a refusal because of who
    the actor is (HTTP 403), as opposed to the report's state or content."""

    def __init__(
        self, message: str, *, forbidden: bool = False, findings: list[Finding] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.forbidden = forbidden
        self.findings = findings or []


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
        return Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return Status(self.to_status).label


def warning_key(finding: Finding) -> str:
    """A stable name for a warning, so that the explanation typed for it on the page
    is matched to the same warning when the submission is checked again."""
    digest = hashlib.sha1(f"{finding.rule}\n{finding.message}".encode()).hexdigest()
    return f"{finding.rule}-{digest[:10]}"


@dataclass
class SubmitCheck:
    errors: list[Finding]
    warnings: list[Finding]


class WorkflowMixin:
    """The transitions of ``Report``. Every method raises ``WorkflowError`` with a
    Chinese message when the actor or the state does not allow it."""

    if TYPE_CHECKING:  # what Report provides, for the type checker
        pk: int
        agency_id: int
        agency: Any
        year: int
        revision: int
        status: str
        published_on: Any
        first_published_on: Any
        is_current: bool
        events: Any
        general: Any
        _prefetched_objects_cache: dict

        def findings(self) -> list[Finding]: ...
        def save(self, *args: Any, **kwargs: Any) -> None: ...
        def refresh_from_db(self, *args: Any, **kwargs: Any) -> None: ...
        def get_status_display(self) -> str: ...
        @classmethod
        def content_fields(cls) -> tuple[str, ...]: ...

    def _report(self) -> Report:
        return cast("Report", self)

    # --- what the page offers --------------------------------------------------------

    def submit_check(self) -> SubmitCheck:
        findings = self.findings()
        return SubmitCheck(
            errors=[f for f in findings if f.severity == "error"],
            warnings=[f for f in findings if f.severity == "warning"],
        )

    def last_event(self, kind: str | None = None) -> ReportEvent | None:
        events = self.events.all()
        if kind is not None:
            events = events.filter(kind=kind)
        return events.order_by("-at", "-pk").select_related("actor").first()

    @property
    def submitter(self) -> Any:
        event = self.last_event(EventKind.SUBMIT)
        return event.actor if event else None

    def return_comment(self, events: list[ReportEvent] | None = None) -> str:
        """The reviewer's (or oversight's) comment while the report is returned. A page
        that has loaded the report's events passes them, and no query is made."""
        if self.status != Status.RETURNED:
            return ""
        if events is None:
            events = list(self.events.filter(kind__in=RETURN_KINDS))
        returned = [e for e in events if e.kind in RETURN_KINDS]
        return returned[-1].comment if returned else ""  # events are oldest first

    def can_submit(self, user: Any) -> bool:
        return access.can_submit(user, self._report())

    def can_review(self, user: Any) -> bool:
        return access.can_review(user, self._report())

    def can_publish(self, user: Any) -> bool:
        return access.can_publish(user, self._report())

    def can_start_revision(self, user: Any) -> bool:
        return access.can_start_revision(user, self._report())

    def can_send_for_correction(self, user: Any) -> bool:
        return access.can_send_for_correction(user, self._report())

    # --- transitions --------------------------------------------------------------

    def _lock(self) -> None:
        """Lock the row and re-read it, so that two transitions cannot interleave and
        the checks judge what is stored now, not what this instance was loaded with."""
        type(self._report()).objects.select_for_update().filter(pk=self.pk).exists()
        self.refresh_from_db()
        # The sub-sections may have been prefetched or cached before the lock.
        self._prefetched_objects_cache = {}

    def _move(
        self, actor: Any, kind: str, to_status: str, comment: str = "", explanations: Any = ()
    ) -> None:
        from_status = self.status
        self.status = to_status
        # Only the workflow columns: content is never written by a transition.
        self.save(update_fields=["status", "published_on", "first_published_on"])
        event = ReportEvent.objects.create(
            report=self._report(),
            kind=kind,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            explanations=list(explanations),
        )
        report_transition.send(type(self), report=self, event=event)

    def submit(self, user: Any, explanations: dict[str, str] | None = None) -> None:
        """草稿/已退回 → 待审核, by a clerk of the agency. Blocked by any error; each
        warning needs a written explanation."""
        explanations = explanations or {}
        with transaction.atomic():
            self._lock()
            if not access.is_clerk_of(user, self._report()):
                raise WorkflowError("只有本机关的填报人可以提交审核。", forbidden=True)
            if self.status not in EDITABLE_STATUSES:
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
            self._move(user, EventKind.SUBMIT, Status.SUBMITTED, explanations=written)

    def approve(self, user: Any, comment: str = "") -> None:
        """待审核 → 已审核, by a reviewer of the agency who did not submit it."""
        with transaction.atomic():
            self._lock()
            if not access.is_reviewer_of(user, self._report()):
                raise WorkflowError("只有本机关的审核人可以审核。", forbidden=True)
            if self.status != Status.SUBMITTED:
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
            self._move(user, EventKind.APPROVE, Status.APPROVED, comment=comment.strip())

    def return_to_clerk(self, user: Any, comment: str) -> None:
        """待审核 → 已退回, by a reviewer of the agency, with a required comment."""
        comment = (comment or "").strip()
        with transaction.atomic():
            self._lock()
            if not access.is_reviewer_of(user, self._report()):
                raise WorkflowError("只有本机关的审核人可以退回报告。", forbidden=True)
            if self.status != Status.SUBMITTED:
                raise WorkflowError(
                    f"本报告状态为“{self.get_status_display()}”，只有待审核的报告可以退回。"
                )
            if not comment:
                raise WorkflowError("退回时必须填写退回意见，说明需要修改的内容。")
            self._move(user, EventKind.RETURN, Status.RETURNED, comment=comment)

    def publish(self, user: Any) -> None:
        """已审核 → 已发布, by a reviewer of the agency; records the publication date
        (and, for the first version, the date the agency's report first came out)."""
        with transaction.atomic():
            self._lock()
            if not access.is_reviewer_of(user, self._report()):
                raise WorkflowError("只有本机关的审核人可以发布报告。", forbidden=True)
            if self.status != Status.APPROVED:
                raise WorkflowError(
                    f"本报告状态为“{self.get_status_display()}”，只有已审核的报告可以发布。"
                )
            self.published_on = timezone.localdate()
            if self.first_published_on is None:
                self.first_published_on = self.published_on
            self._move(user, EventKind.PUBLISH, Status.PUBLISHED)
            transaction.on_commit(lambda: report_published.send(type(self), report=self))

    def start_revision(self, user: Any) -> Report:
        """A clerk corrects a published report: a new draft revision, the published
        version untouched."""
        with transaction.atomic():
            self._lock()
            if not access.is_clerk_of(user, self._report()):
                raise WorkflowError("只有本机关的填报人可以发起修订。", forbidden=True)
            return self._new_revision(user, EventKind.REVISE, Status.DRAFT, "")

    def send_for_correction(self, user: Any, comment: str) -> Report:
        """Oversight sends a published report back: a new revision, returned to the
        agency's clerk with the comment."""
        comment = (comment or "").strip()
        with transaction.atomic():
            self._lock()
            if not access.oversees(user, self.agency):
                raise WorkflowError(
                    "只有上级主管部门可以退回已发布的报告要求更正。", forbidden=True
                )
            if not comment:
                raise WorkflowError("退回更正时必须填写意见，说明需要更正的内容。")
            return self._new_revision(user, EventKind.CORRECT, Status.RETURNED, comment)

    def _new_revision(self, user: Any, kind: str, status: str, comment: str) -> Report:
        if self.status != Status.PUBLISHED:
            raise WorkflowError("只有已发布的报告可以修订；未发布的报告请直接修改。")
        if not self.is_current:
            raise WorkflowError("本报告已有一份修订稿在办理中，请在修订稿上继续修改。")
        revision = self.copy_as_revision(user, status)
        if kind == EventKind.CORRECT:
            from reports.models.review import AnnotationStatus  # review builds on this module

            # The 批注 an oversight office attached to the published version say what to
            # correct: they go with the correction, where the clerk answers them.
            self._report().annotations.filter(status=AnnotationStatus.OPEN).update(report=revision)
        event = ReportEvent.objects.create(
            report=revision,
            kind=kind,
            actor=user,
            from_status=Status.PUBLISHED,
            to_status=status,
            comment=comment,
        )
        report_transition.send(type(self), report=revision, event=event)
        return revision

    def copy_as_revision(self, user: Any, status: str = Status.DRAFT) -> Report:
        """A copy of this report's content (``Report.content_fields``, its sub-sections)
        one revision higher, which becomes the current report of the agency and year.
        Nothing derived is copied: the counts are computed afresh and the revision gets
        its own PDF when it is published."""
        model = type(self._report())
        section_model = self.general.model
        with counts.deferred():
            return self._copy(model, section_model, user, status)

    def _copy(self, model: Any, section_model: Any, user: Any, status: str) -> Report:
        model.objects.filter(pk=self.pk).update(is_current=False)
        self.is_current = False
        copy = model(
            **{name: getattr(self, name) for name in model.content_fields()},
            agency_id=self.agency_id,
            year=self.year,
            revision=self.revision + 1,
            status=status,
            is_current=True,
            first_published_on=self.first_published_on or self.published_on,
            created_by=user,
        )
        copy.save()
        bulk_create_with_history(
            [
                section_model(report=copy, position=s.position, heading=s.heading, body=s.body)
                for s in self.general.all()
            ],
            section_model,
            default_user=user,
        )
        counts.note(copy)  # with its sub-sections, once the copy is complete
        return copy
