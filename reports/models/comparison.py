"""What the cross-year and cross-agency rules compare a report with
(``Report.rule_context()``): last year's report of the same agency and this year's of
its siblings, read in the document structure the rules take, with the report's own
sub-sections of 一 (the sub-sections of all of them in one query).

Last year's report is read on every page of the section editor (for the findings and
the progress of every page). Its stored cells are three hundred columns, whose query
took a fifth of the page's time (bench/editor.py), so the cells of a report that can
no longer change (neither a draft nor returned) are read once per process and kept by
the row's id, version and time of last change. A published report is corrected through
a new revision, which is another row.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from functools import lru_cache
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast

from reports import rules
from reports.models.prepared import PreparedQuery
from reports.models.report import GeneralSection, Report
from reports.models.states import EDITABLE_STATUSES
from reports.spec import figures as fig
from reports.spec import schema

# Last year's cells kept per process: one report's for each clerk's report being
# edited; a few dozen KiB each.
PREVIOUS_KEPT = 256
# The narrative of the other reports the rules read (the sub-sections of 一 and 五) kept
# per process, by row, version and time of last change (a few KiB each): a department of
# a government with 440 departments read 2,090 sub-sections and 440 texts of 五 on every
# view of its report page (bench/oversight.py, 150,000 agencies), where its siblings
# rarely change between two views.
SECTIONS_KEPT = 4096
Sections = tuple[tuple[str, str], ...]  # (heading, body) in order
# A report's sub-sections of 一 and its 五 (存在的主要问题及改进情况).
Narrative = tuple[Sections, str]
# Keyed by id, version and time of last change (only compared: ``prepared``).
_kept_sections: OrderedDict[tuple[int, int, object], Narrative] = OrderedDict()
_kept_lock = threading.Lock()  # a threaded server (runserver) shares it


def read(report: Report) -> tuple[list[dict], rules.Context]:
    """This report's sub-sections of 一, as its document holds them, and what the rules
    compare it with: last year's report of the same agency (for R7, R11, R12, R14, R15
    and R18: its cells, totals derived, and the narrative of 一 and 五; the rest of its
    narrative is never loaded) and the narrative of 一 and 五 of this year's reports of
    the agencies under the same oversight office (for R16: copies are looked for among
    siblings, where they happen; comparing with every agency of a province on every save
    would cost more than it finds). Two queries, three when last year's cells are not
    kept. The rules only read what this returns."""
    parent_id = report.agency.parent_id
    agency, last_year = report.agency_id, report.year - 1
    if parent_id is None:
        rows = _LAST_YEAR.rows(agency=agency, last_year=last_year)
    else:
        rows = _LAST_YEAR_AND_SIBLINGS.rows(
            agency=agency, last_year=last_year, year=report.year, parent=parent_id
        )
    narrative = _narrative(report.pk, [(pk, version, at) for pk, _, _, version, at, _ in rows])
    previous = None
    peers = []
    for pk, year, name, version, changed, status in rows:
        sections, problems = narrative[pk]
        if year != report.year:  # last year's, of this agency
            figures = (
                _read_cells(pk)
                if status in EDITABLE_STATUSES
                else _kept_cells(pk, version, changed)
            )
            if figures is not None:  # not deleted meanwhile
                general = [{"heading": h, "body": b} for h, b in sections]
                previous = {
                    "year": year,
                    **figures,
                    "sections": {"general": general, "problems": problems},
                }
        else:
            general = [{"body": b} for _, b in sections]
            peers.append(
                {
                    "agency": name,
                    "year": year,
                    "sections": {"general": general, "problems": problems},
                }
            )
    own = [{"heading": h, "body": b} for h, b in narrative[report.pk][0]]
    return own, rules.Context(previous=previous, peers=tuple(peers))


def _narrative(own: int, others: list[tuple[int, int, object]]) -> dict[int, Narrative]:
    """The sub-sections of report ``own``, and the narrative of ``others`` (id, version,
    time of last change), in one query: those of ``others`` kept from an earlier read
    are not read again. A report's narrative changes only with a save, which moves both.
    (The text of 五 of ``own`` is the report's own, in hand.)"""
    found: dict[int, Narrative] = {}
    missing = []
    with _kept_lock:
        for key in others:
            kept = _kept_sections.get(key)
            if kept is None:
                missing.append(key)
            else:
                _kept_sections.move_to_end(key)
                found[key[0]] = kept
    read: dict[int, list[tuple[str, str]]] = defaultdict(list)
    problems: dict[int, str] = {}
    if missing:
        ids = [key[0] for key in missing]
        for report_id, kind, _, _, heading, body in _NARRATIVE.rows(own=own, ids=ids):
            if kind == _PROBLEMS:
                problems[report_id] = body or ""
            else:
                read[report_id].append((heading, body))
    else:
        for report_id, _, _, _, heading, body in _SECTIONS.rows(own=own):
            read[report_id].append((heading, body))
    found[own] = (tuple(read[own]), "")
    with _kept_lock:
        for key in missing:
            pk = key[0]
            found[pk] = _kept_sections[key] = (tuple(read[pk]), problems.get(pk, ""))
        while len(_kept_sections) > SECTIONS_KEPT:
            _kept_sections.popitem(last=False)
    return found


# What ``read`` asks for, as SQL compiled once per process (``prepared``: their
# building and compiling cost the editor's every page 1 ms). The columns are numbers and
# text; the time of the last change (as text: the database's timestamps took longer to
# read than the rest of 440 siblings' rows) is only a key of what is kept here, and the
# narrative of 五 is kept with the sub-sections.
_FIELDS = ("pk", "year", "agency__name", "version", "changed", "status")


def _with_change(reports: QuerySet[Report]) -> QuerySet[Report]:
    return reports.annotate(changed=Cast("updated_at", output_field=CharField()))


def _last_year(agency: int, last_year: int) -> QuerySet[Report, tuple[Any, ...]]:
    """Last year's report of ``agency``."""
    return _last_year_of(agency, last_year).order_by("-year", "agency__name")


def _last_year_and_siblings(
    agency: int, last_year: int, year: int, parent: int
) -> QuerySet[Report, tuple[Any, ...]]:
    """Last year's report of ``agency`` and this year's of its siblings under ``parent``."""
    siblings = (
        _with_change(Report.objects.current())
        .order_by()
        .filter(year=year, agency__parent_id=parent)
        .exclude(agency_id=agency)
    )
    # A UNION, not an OR of the two: each half reads its own index, where the OR across
    # the join to the agencies had PostgreSQL scan every report of every year
    # (bench/oversight.py: ~600 ms with 440,000 reports in the database).
    others = _last_year_of(agency, last_year).union(siblings.values_list(*_FIELDS), all=True)
    return others.order_by("-year", "agency__name")


def _last_year_of(agency: int, last_year: int) -> QuerySet[Report, tuple[Any, ...]]:
    current = _with_change(Report.objects.current()).order_by()
    return current.filter(agency_id=agency, year=last_year).values_list(*_FIELDS)


# A row of ``_narrative_of``: a sub-section of 一, or (this kind) a report's 五.
_SECTION, _PROBLEMS = 0, 1


def _sections_rows(ids: Any) -> QuerySet[GeneralSection, tuple[Any, ...]]:
    return (
        GeneralSection.objects.filter(report_id__in=ids)
        .annotate(kind=Value(_SECTION), order=F("position"), second=F("pk"))
        .values_list("report_id", "kind", "order", "second", "heading", "body")
    )


def _sections_of(own: int) -> QuerySet[GeneralSection, tuple[Any, ...]]:
    return _sections_rows([own]).order_by("order", "second")


def _narrative_of(own: int, ids: list[int]) -> QuerySet[GeneralSection, tuple[Any, ...]]:
    """The sub-sections of ``own`` and ``ids`` and the 五 of ``ids``, in one UNION."""
    problems = (
        Report.objects.filter(pk__in=ids)
        .order_by()
        .annotate(kind=Value(_PROBLEMS), order=Value(0), second=Value(0), heading=Value(""))
        .values_list("pk", "kind", "order", "second", "heading", "problems")
    )
    rows = _sections_rows([own, *ids]).order_by().union(problems, all=True)
    return rows.order_by("report_id", "kind", "order", "second")


_LAST_YEAR = PreparedQuery(_last_year)
_LAST_YEAR_AND_SIBLINGS = PreparedQuery(_last_year_and_siblings)
_SECTIONS = PreparedQuery(_sections_of)
_NARRATIVE = PreparedQuery(_narrative_of)


@lru_cache(maxsize=PREVIOUS_KEPT)
def _kept_cells(pk: int, version: int, updated_at: object) -> fig.Figures | None:
    # The version and the time of the last change are in the key so that a row
    # changed behind the models' back (a queryset update) is read again the next time
    # it is saved, and no other row is ever taken for it.
    return _read_cells(pk)


def _read_cells(pk: int) -> fig.Figures | None:
    """Last year's stored cells, totals derived."""
    cells = schema.STORED_CELLS
    row = Report.objects.filter(pk=pk).values(*(c.field for c in cells)).first()
    if row is None:
        return None
    figures = fig.empty()
    for c in cells:
        fig.put(figures, c, row[c.field])
    return fig.derive_totals(figures)
