"""A report's saves as the changes its pages show: "who changed which cell from what to
what, when", and the same for its sub-sections of 一.

django-simple-history keeps one row per save of ``Report`` (one column per cell) and of
``GeneralSection``; nothing here prunes them. ``field_history_page`` reads a page of a
report's saves (keyset paging, newest first) and compares each with the one before it;
the report page shows the first page, the history page the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery

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


# A record of a sub-section of 一 as ``_section_entries`` reads it, and the columns it
# compares with the record before (in the model's order).
_SECTION_COLUMNS = ("history_id", "history_date", "history_type", "heading", "body")
_SECTION_DIFFED = tuple(
    f.name for f in GeneralSection._meta.fields if f.name in {"heading", "body", "position"}
)


@dataclass
class _SectionSave:
    history_id: int
    history_date: datetime
    history_type: str
    heading: str
    body: str
    history_username: str | None
    history_first_name: str | None
    history_last_name: str | None
    diffed: tuple[Any, ...]
    before_id: int | None


def _section_span(since: bool, until: bool) -> Callable[..., QuerySet[Any, tuple[Any, ...]]]:
    def build(pk: int, since_id: int = 0, until_id: int = 0) -> QuerySet[Any, tuple[Any, ...]]:
        # The span's ends are saves of the report, named by their history ids.
        saved_at = Report.history.filter(id=pk).values("history_date")
        sections = GeneralSection.history.filter(report_id=pk)
        if since:
            since_at = Subquery(saved_at.filter(history_id=since_id)[:1])
            sections = sections.filter(history_date__gte=since_at)
        if until:
            until_at = Subquery(saved_at.filter(history_id=until_id)[:1])
            sections = sections.filter(history_date__lt=until_at)
        earlier = GeneralSection.history.filter(
            id=OuterRef("id"), history_date__lt=OuterRef("history_date")
        ).order_by("-history_date", "-history_id")
        before_id = Subquery(earlier.values("history_id")[:1])
        columns = (*_SECTION_COLUMNS, *(str(f.name) for f in WHO.values()), *_SECTION_DIFFED)
        ordered = sections.annotate(before_id=before_id).order_by(
            "id", "history_date", "history_id"
        )
        return ordered.values_list(*columns, "before_id")

    return build


# Compiled once per process (``PreparedQuery``): building the query, its subqueries and
# its join to the users cost Django 2 ms of every report page (bench/load.py).
_SECTION_SPANS = {
    (since, until): PreparedQuery(_section_span(since, until))
    for since in (False, True)
    for until in (False, True)
}


def _section_saves(pk: int, since_id: int | None, until_id: int | None) -> list[_SectionSave]:
    values: dict[str, int] = {"pk": pk}
    if since_id is not None:
        values["since_id"] = since_id
    if until_id is not None:
        values["until_id"] = until_id
    query = _SECTION_SPANS[since_id is not None, until_id is not None]
    first = len(_SECTION_COLUMNS) + len(WHO)
    saves = []
    for row in query.rows(**values):
        history_id, at, kind, heading, body, username, first_name, last_name = row[:first]
        diffed, before_id = row[first:-1], row[-1]
        saves.append(
            _SectionSave(
                history_id,
                at,
                kind,
                heading,
                body,
                username,
                first_name,
                last_name,
                diffed,
                before_id,
            )
        )
    return saves


def _section_entries(
    report: Report, since_id: int | None, until_id: int | None
) -> list[HistoryEntry]:
    """The changes of the sub-sections of 一 saved from the report's save ``since_id``
    until before its save ``until_id`` (history ids; None: no bound): each compared with
    the section's record before it, read in the same query."""
    records = _section_saves(report.pk, since_id, until_id)
    by_id = {r.history_id: r.diffed for r in records}
    # The records before the span's first ones, in one query.
    missing = {r.before_id for r in records if r.before_id is not None} - by_id.keys()
    if missing:
        older = GeneralSection.history.filter(history_id__in=missing)
        by_id.update({row[0]: row[1:] for row in older.values_list("history_id", *_SECTION_DIFFED)})
    entries: list[HistoryEntry] = []
    for record in records:
        before = by_id.get(record.before_id) if record.before_id is not None else None
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
            changes = [
                Change(
                    f"{heading} · {_label(name, GeneralSection)}",
                    _show(old),
                    _show(new),
                    "general",
                )
                for name, old, new in zip(_SECTION_DIFFED, before, record.diffed, strict=True)
                if old != new
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
        since = shown[-1].history_id if more else None
        entries += _section_entries(report, since, before)
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
