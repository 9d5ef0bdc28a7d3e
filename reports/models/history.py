"""What a reviewer reads of a report's changes, and optimistic locking of the section
forms.

``changes_since_submission`` and the 修改记录 rows read the saves
(``reports.models.saves``); ``conflicts`` uses the same rows to tell, when a section
form arrives carrying an old ``Report.version``, whether the fields of that section
changed meanwhile and how.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from reports.models.report import GeneralSection, Report
from reports.models.saves import (
    WHO,
    Change,
    HistoryEntry,
    _label,
    _show,
    _who,
    field_history,
)
from reports.spec import schema

# --- what a reviewer reads -------------------------------------------------------------


@dataclass
class HistoryRow:
    """One line of the 修改记录: one changed cell or field (or a report created)."""

    at: datetime
    user: str
    kind: str
    change: Change | None


def history_rows(entries: list[HistoryEntry]) -> list[HistoryRow]:
    """The entries as the lines a table shows, newest first, for paging."""
    rows: list[HistoryRow] = []
    for entry in entries:
        if not entry.changes:
            rows.append(HistoryRow(entry.at, entry.user, entry.kind, None))
        rows += [HistoryRow(entry.at, entry.user, entry.kind, c) for c in entry.changes]
    return rows


@dataclass
class Step:
    at: datetime
    user: str
    old: str
    new: str


@dataclass
class CellChanges:
    """How one cell or field went from what was submitted to what it is now."""

    label: str
    field: str
    page: str | None
    steps: list[Step]  # oldest first

    @property
    def old(self) -> str:
        return self.steps[0].old

    @property
    def new(self) -> str:
        return self.steps[-1].new

    @property
    def users(self) -> list[str]:
        return sorted({s.user for s in self.steps})

    @property
    def last_at(self) -> datetime:
        return self.steps[-1].at


@dataclass
class SinceSubmission:
    """The changes since the submission a reviewer compares with: the one before the
    report's latest while it is submitted or approved (what the clerk changed after
    it was returned), the latest while the clerk has it back. ``since`` is None when
    there is none (a first submission)."""

    since: Any  # the ReportEvent of that submission
    changes: list[CellChanges]


def changes_since_submission(report: Report) -> SinceSubmission:
    from reports.models.states import EventKind, Status

    submissions = list(
        report.events.filter(kind=EventKind.SUBMIT).select_related("actor").order_by("at", "pk")
    )
    under_review = report.status in (Status.SUBMITTED, Status.APPROVED)
    baseline = submissions[-2] if under_review and len(submissions) > 1 else None
    if not under_review and submissions:
        baseline = submissions[-1]
    if baseline is None:
        return SinceSubmission(None, [])
    # Only what was saved after the submission, and before it, for a report under
    # review: its content cannot change once submitted.
    rows = [r for r in history_rows(field_history(report)) if r.at > baseline.at and r.change]
    by_label: dict[str, CellChanges] = {}
    for row in reversed(rows):  # oldest first
        change = row.change
        assert change is not None
        key = change.field if change.field not in ("", "general") else change.label
        step = Step(row.at, row.user, change.old, change.new)
        if key in by_label:
            by_label[key].steps.append(step)
        else:
            by_label[key] = CellChanges(change.label, change.field, change.page, [step])
    ordered = sorted(by_label.values(), key=lambda c: c.last_at, reverse=True)
    return SinceSubmission(baseline, ordered)


# --- optimistic locking ---------------------------------------------------------------


@dataclass
class Conflict:
    changes: list[Change]
    users: list[str]


def parse_version(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def conflicts(report: Report, base_version: int | None, section: str) -> Conflict | None:
    """What changed in ``section`` since the report was at ``base_version``; None when
    nothing did, so the save may go ahead. ``report`` must be freshly read under lock."""
    if base_version == report.version:
        return None
    base = (
        report.history.filter(version=base_version).order_by("-history_date").first()
        if base_version is not None
        else None
    )
    later = report.history.annotate(**WHO).filter(
        history_date__gt=base.history_date if base else timezone.now()
    )
    users = sorted({_who(r) for r in later})
    if base is None:
        return Conflict([Change("本部分", "（无法确定）", "已被他人修改")], users)

    changes: list[Change] = []
    if section == "general":
        then = list(
            GeneralSection.history.as_of(base.history_date)
            .filter(report_id=report.pk)
            .order_by("position", "pk")
        )
        now = list(report.general.all())
        for i in range(max(len(then), len(now))):
            old = then[i] if i < len(then) else None
            new = now[i] if i < len(now) else None
            old_text = f"{old.heading}：{old.body}" if old else "（无）"
            new_text = f"{new.heading}：{new.body}" if new else "（已删除）"
            if old_text != new_text:
                changes.append(Change(f"第{i + 1}小节", old_text, new_text))
    else:
        for name in schema.page_fields(section):
            old, new = getattr(base, name), getattr(report, name)
            if old != new:
                changes.append(Change(_label(name), _show(old), _show(new)))
    if not changes:
        return None
    return Conflict(changes, users)
