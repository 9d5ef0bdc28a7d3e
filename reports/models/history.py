"""Per-field change history of reports, and optimistic locking of the section forms.

django-simple-history keeps one row per save of ``Report`` (one column per cell) and of
``GeneralSection``; nothing here prunes them. ``field_history`` turns those rows into
"who changed which cell from what to what, when". ``conflicts`` uses the same rows to
tell, when a section form arrives carrying an old ``Report.version``, whether the
fields of that section changed meanwhile and how.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from reports.models.agency import person_name
from reports.models.prepared import PreparedQuery
from reports.models.report import GeneralSection, Report
from reports.spec import schema

# Columns that change on every save or belong to the workflow, not to the content.
IGNORED_FIELDS = {"version", "updated_at", "status", "published_on", "revision"}


@dataclass
class Change:
    label: str
    old: str
    new: str
    # The ``Report`` column changed, or ``general`` for a sub-section of 一: where the
    # change is shown in the editor.
    field: str = ""

    @property
    def page(self) -> str | None:
        return "general" if self.field == "general" else schema.page_of(self.field)


@dataclass
class HistoryEntry:
    at: datetime
    user: str
    kind: str  # 新建 / 修改 / 删除
    changes: list[Change] = field(default_factory=list)


def _label(name: str, model: Any = Report) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _show(value) -> str:
    if value is None or value == "":
        return "（空白）"
    return str(value)


# Who saved a history row, read with the row rather than joined in as a User object.
WHO = {
    "history_username": F("history_user__username"),
    "history_first_name": F("history_user__first_name"),
    "history_last_name": F("history_user__last_name"),
}


def _who(record: Any) -> str:
    return person_name(record.history_first_name, record.history_last_name, record.history_username)


def _diffed_fields() -> list[tuple[str, str, str]]:
    """(name, attribute, label) of each column ``diff_against`` would compare (the
    tracked, editable ones, but for ``IGNORED_FIELDS``), in its order (by name)."""
    tracked = Report.history.model.tracked_fields
    fields = [f for f in tracked if f.editable and f.name not in IGNORED_FIELDS]
    return sorted((f.name, f.attname, _label(f.name)) for f in fields)


# What depends on the model's definition only, once per process: simple-history's
# ``diff_against`` builds two dicts of all ~330 columns for each pair of saves, two
# thirds of the report page's history (20 saves: ~10 ms of CPU).
DIFFED_FIELDS = _diffed_fields()


# A save of the report as ``field_history_page`` reads it: these columns first, then
# ``DIFFED_FIELDS``' in their order. Tuples, not model instances: building 21
# historical reports of 330 columns was half the report page's CPU (bench/load.py).
_SAVE_COLUMNS = ("history_id", "history_date", *(str(f.name) for f in WHO.values()))


@dataclass
class _Save:
    history_id: int
    history_date: datetime
    history_username: str | None
    history_first_name: str | None
    history_last_name: str | None
    values: tuple[Any, ...]


SAVE_COLUMNS = (*_SAVE_COLUMNS, *(attname for _, attname, _ in DIFFED_FIELDS))


def _saves(rows: list[tuple[Any, ...]]) -> list[_Save]:
    """Rows of ``SAVE_COLUMNS`` as saves."""
    first = len(_SAVE_COLUMNS)
    return [_Save(row[0], row[1], row[2], row[3], row[4], row[first:]) for row in rows]


def _newest_saves(size: int, older: bool) -> Callable[..., QuerySet[Any, tuple[Any, ...]]]:
    def build(pk: int, before: int | None = None) -> QuerySet[Any, tuple[Any, ...]]:
        rows = Report.history.filter(id=pk).order_by("-history_date", "-history_id")
        if older:
            rows = rows.filter(history_id__lt=before)
        return rows.values_list(*SAVE_COLUMNS)[:size]

    return build


# The SQL of a page of saves, compiled once per process and size: compiling the 190
# columns cost Django more than the database took to answer (bench/load.py).
_SAVE_READS: dict[tuple[int, bool], PreparedQuery] = {}


def _save_rows(pk: int, before: int | None, size: int) -> list[tuple[Any, ...]]:
    """The ``size`` newest saves of report ``pk`` older than history id ``before``."""
    key = (size, before is not None)
    if key not in _SAVE_READS:
        _SAVE_READS[key] = PreparedQuery(_newest_saves(*key))
    if before is None:
        return _SAVE_READS[key].rows(pk=pk)
    return _SAVE_READS[key].rows(pk=pk, before=before)


def _report_changes(new: _Save, old: _Save) -> list[Change]:
    """What ``new.diff_against(old, excluded_fields=IGNORED_FIELDS)`` finds, as the
    changes a page shows."""
    return [
        Change(label, _show(before), _show(after), name)
        for (name, _, label), before, after in zip(
            DIFFED_FIELDS, old.values, new.values, strict=True
        )
        if before != after
    ]


# How many saves a page of the history shows: a report saved 500 times must not make
# its page 500 saves long (the report page shows the first page, the history page the
# rest, a page at a time).
HISTORY_PAGE_SIZE = 20


@dataclass
class HistoryPage:
    entries: list[HistoryEntry]
    # Where the next (older) page starts: the history id of the oldest save shown.
    next_before: int | None


def _section_entries(
    report: Report, since: datetime | None, until: datetime | None
) -> list[HistoryEntry]:
    """The changes of the sub-sections of 一 saved in [since, until): each diffed
    against the section's record before it, read in the same query."""
    sections = GeneralSection.history.filter(report_id=report.pk)
    if since is not None:
        sections = sections.filter(history_date__gte=since)
    if until is not None:
        sections = sections.filter(history_date__lt=until)
    earlier = GeneralSection.history.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    records = list(
        sections.annotate(**WHO, before_id=Subquery(earlier.values("history_id")[:1])).order_by(
            "id", "history_date", "history_id"
        )
    )
    by_id = {r.history_id: r for r in records}
    # The records before the span's first ones, in one query.
    missing = {r.before_id for r in records if r.before_id is not None} - by_id.keys()
    befores = {b.history_id: b for b in GeneralSection.history.filter(history_id__in=missing)}
    entries: list[HistoryEntry] = []
    for record in records:
        before = by_id.get(record.before_id) or befores.get(record.before_id)
        heading = f"一、总体情况 {record.heading}"
        if record.history_type == "-":
            entries.append(
                HistoryEntry(
                    record.history_date,
                    _who(record),
                    "删除",
                    [Change(heading, _show(record.body), "（已删除）", "general")],
                )
            )
        elif before is None:
            # A sub-section created without a history row (by an import, in bulk)
            # shows its first change without the text it replaced, which is unknown.
            added = record.history_type == "+"
            what = "新增小节" if added else _label("body", GeneralSection)
            entries.append(
                HistoryEntry(
                    record.history_date,
                    _who(record),
                    "修改",
                    [
                        Change(
                            f"{heading} · {what}",
                            "（无）" if added else "（未记录）",
                            _show(record.body),
                            "general",
                        )
                    ],
                )
            )
        else:
            delta = record.diff_against(before, included_fields=["heading", "body", "position"])
            changes = [
                Change(
                    f"{heading} · {_label(c.field, GeneralSection)}",
                    _show(c.old),
                    _show(c.new),
                    "general",
                )
                for c in delta.changes
            ]
            if changes:
                entries.append(HistoryEntry(record.history_date, _who(record), "修改", changes))
    return entries


def field_history_page(
    report: Report, before: int | None = None, size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """A page of the changes of the report's content, newest first: the ``size`` saves
    of the report older than history id ``before`` (keyset paging, so a page deep in a
    long history costs what the first one does), each diffed against the save before
    it, and the sub-sections of 一 changed in the same span of time. Four queries."""
    # One save more than shown: the one the oldest shown save is compared with.
    records = _saves(_save_rows(report.pk, before, size + 1))
    shown = records[:size]
    entries: list[HistoryEntry] = []
    for i, record in enumerate(shown):
        previous = records[i + 1] if i + 1 < len(records) else None
        if previous is None:
            entries.append(HistoryEntry(record.history_date, _who(record), "新建"))
        else:
            changes = _report_changes(record, previous)
            if changes:
                entries.append(HistoryEntry(record.history_date, _who(record), "修改", changes))
    more = len(records) > size
    if shown or before is None:
        # The sub-sections saved in the span of the saves shown: pages tile time, the
        # first one open towards now, the last one towards the beginning.
        until = None
        if before is not None:
            newer = report.history.filter(history_id=before).values("history_date").first()
            until = newer["history_date"] if newer else None
        since = shown[-1].history_date if more else None
        entries += _section_entries(report, since, until)
    entries.sort(key=lambda e: e.at, reverse=True)
    return HistoryPage(entries, shown[-1].history_id if more else None)


def field_history(report: Report) -> list[HistoryEntry]:
    """Every change of the report's content, newest first (for tests and exports; a
    page shows ``field_history_page``)."""
    entries: list[HistoryEntry] = []
    before = None
    while True:
        page = field_history_page(report, before, size=500)
        entries += page.entries
        if page.next_before is None:
            return entries
        before = page.next_before


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
