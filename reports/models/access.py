"""Who may do what: every decision that depends on a person's role, in one module.

The querysets, the workflow transitions, the views, the admin and the background jobs
all ask here. The answer to a refusal follows one policy (``reports.views`` applies it):

- an object outside what a user may see does not exist for them (404), so that an
  outsider cannot even learn that a report or an agency exists;
- a page or an action that the user's role does not give them is forbidden (403),
  with a Chinese message saying who may.

Roles: a 填报人 (clerk) edits and submits the reports of their agency; a 审核人
(reviewer) approves, returns and publishes them; a 主管部门 (oversight) user reads the
reports of every agency beneath theirs, follows and rolls them up, exports them and may
send a published one back for correction. Superusers see everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Q, QuerySet

from reports.models.agency import Agency, Role
from reports.models.states import EDITABLE_STATUSES, Status

if TYPE_CHECKING:
    from reports.models.report import Report


class Person(Protocol):
    """What a decision reads of a user (a ``User``, or ``AnonymousUser``)."""

    is_authenticated: bool
    is_superuser: bool
    role: str
    agency_id: int | None
    agency: Agency | None


def _member(user: Any, agency_id: int, role: str) -> bool:
    return (
        user.is_authenticated
        and getattr(user, "role", "") == role
        and user.agency_id is not None
        and user.agency_id == agency_id
    )


# --- seeing -----------------------------------------------------------------------


def report_filter(user: Any) -> Q | None:
    """The reports a signed-in user may open, as a filter; None for all of them.
    Their agency's, and for an oversight user every agency beneath theirs. Nobody else
    sees an unpublished report; published ones are on the public site."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    if user.agency_id is None:
        return Q(pk__in=[])
    if user.role == Role.OVERSIGHT:
        return Q(agency__path__startswith=user.agency.path)
    return own_agency_reports(user.agency_id)


def own_agency_reports(agency_id: int) -> Q:
    """The reports a clerk or a reviewer of agency ``agency_id`` may open."""
    return Q(agency_id=agency_id)


def sees_own_agency_only(user: Any) -> bool:
    """Whether every report a user may open is of their own agency (``report_filter``
    of a clerk or a reviewer), whose row came with the signed-in user's."""
    return (
        user.is_authenticated
        and not user.is_superuser
        and user.agency_id is not None
        and user.role != Role.OVERSIGHT
    )


def agencies_visible_to(user: Any) -> QuerySet[Agency]:
    """The agencies whose pages (charts, reports) a user may look at."""
    if not user.is_authenticated:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    if user.agency_id is None:
        return Agency.objects.none()
    if user.role == Role.OVERSIGHT:
        return user.agency.subtree()
    return Agency.objects.filter(pk=user.agency_id)


def oversees(user: Any, agency: Agency) -> bool:
    """An oversight user of ``agency`` or of an agency above it."""
    return (
        user.is_authenticated
        and getattr(user, "role", "") == Role.OVERSIGHT
        and user.agency is not None
        and agency.is_within(user.agency)
    )


def oversight_scope(user: Any) -> Agency | None:
    """The agency whose subtree a user follows on the oversight pages (a superuser with
    an agency follows that agency's), or None when the role gives no such pages."""
    if not user.is_authenticated or user.agency_id is None:
        return None
    if user.role == Role.OVERSIGHT or user.is_superuser:
        return user.agency
    return None


# --- the workflow -------------------------------------------------------------------


def is_clerk_of(user: Any, report: Report) -> bool:
    return _member(user, report.agency_id, Role.CLERK)


def is_reviewer_of(user: Any, report: Report) -> bool:
    return _member(user, report.agency_id, Role.REVIEWER)


def can_edit(user: Any, report: Report) -> bool:
    """Change the content: a clerk of the agency, while the report is a draft or
    returned (locked reports stay locked on every path)."""
    return report.status in EDITABLE_STATUSES and is_clerk_of(user, report)


def editing_agency(user: Any) -> int | None:
    """The agency whose reports ``user`` may edit when they are editable (``can_edit``),
    or None: a save looks for the report to lock among that agency's only."""
    if user.is_authenticated and getattr(user, "role", "") == Role.CLERK:
        return user.agency_id
    return None


def can_submit(user: Any, report: Report) -> bool:
    return can_edit(user, report)


def can_review(user: Any, report: Report) -> bool:
    """Approve or return: a reviewer of the agency, while the report is submitted."""
    return report.status == Status.SUBMITTED and is_reviewer_of(user, report)


def can_publish(user: Any, report: Report) -> bool:
    return report.status == Status.APPROVED and is_reviewer_of(user, report)


def can_start_revision(user: Any, report: Report) -> bool:
    """Correct a published report through a new revision: a clerk of the agency, on the
    current revision only (one correction at a time)."""
    return report.status == Status.PUBLISHED and report.is_current and is_clerk_of(user, report)


def can_send_for_correction(user: Any, report: Report) -> bool:
    return report.status == Status.PUBLISHED and report.is_current and oversees(user, report.agency)


def can_triage(user: Any, report: Report) -> bool:
    """Mark a finding 确认问题 or 不是问题: the agency's reviewer, or an oversight user
    above it. A mark judges the report and changes nothing in it, so it may be made in
    any state, a published report's included."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or is_reviewer_of(user, report) or oversees(user, report.agency)


# --- review by cell ----------------------------------------------------------------


def can_annotate(user: Any, report: Report) -> bool:
    """Attach a 批注 (or reopen one): a reviewer of the agency while reviewing the
    report; an oversight user above it on the current revision once published (the
    批注 go with the send-back for correction) or while a correction it sent back
    is with the clerk."""
    if report.status == Status.SUBMITTED and is_reviewer_of(user, report):
        return True
    correcting = report.status == Status.RETURNED and report.revision > 0
    return (
        report.is_current
        and (report.status == Status.PUBLISHED or correcting)
        and oversees(user, report.agency)
    )


def can_answer_annotation(user: Any, report: Report) -> bool:
    """Answer in a 批注's thread: the clerk while the report may be edited, and whoever
    may attach one."""
    return can_edit(user, report) or can_annotate(user, report)


def can_resolve_annotation(user: Any, report: Report) -> bool:
    """Mark a 批注 已处理: the clerk, while the report may be edited (a submitted
    report stays locked, the 批注 on it included)."""
    return can_edit(user, report)


# --- files and jobs -----------------------------------------------------------------


def can_create_report(user: Any) -> bool:
    """Start a new year's report, or import the agency's published one: clerks."""
    return user.is_authenticated and getattr(user, "is_clerk", False)


def can_export_region(user: Any) -> bool:
    """Ask for the background exports of a region (汇总导出), of the agencies in
    ``agencies_visible_to``."""
    return user.is_authenticated and (user.is_superuser or oversight_scope(user) is not None)


def can_batch_import(user: Any) -> bool:
    """Load the published reports of the agencies beneath one's own at once (批量导入):
    the oversight offices, for the agencies in ``agencies_visible_to``."""
    return can_export_region(user)


def can_check_import(user: Any, report: Report) -> bool:
    """Confirm the cells an import left blank or in doubt: whoever may edit the report."""
    return can_edit(user, report)


def can_urge(user: Any) -> bool:
    """Send a 催报 to the agencies beneath one's own whose report is late: the
    oversight offices (``reports.oversight.reminders``)."""
    return oversight_scope(user) is not None


def export_jobs_filter(user: Any) -> Q | None:
    """The background jobs (exports, batch imports) a user may watch and download:
    their own (None: all)."""
    if user.is_superuser:
        return None
    return Q(requested_by_id=user.pk)


# --- the admin --------------------------------------------------------------------
# Staff rights come from Django's per-model permissions; these decide what no
# permission can grant, so that the admin is never a side door around the workflow.


def can_delete_report_in_admin(report: Report) -> bool:
    """A report past draft is part of the record (submitted, approved, published or a
    revision's predecessor): it is never deleted, whoever asks."""
    return report.status in EDITABLE_STATUSES


def can_delete_agency(agency: Agency) -> bool:
    """An agency with reports or agencies beneath it stays (the database protects
    them too; refusing here spares staff a failed confirmation page)."""
    return not agency.reports.exists() and not agency.children.exists()


def can_manage_account(actor: Any, account: Any) -> bool:
    """Only a superuser changes or deletes a superuser's account: a staff member with
    the right to manage users must not lock out or demote the administrator."""
    return bool(actor.is_superuser) or not account.is_superuser
