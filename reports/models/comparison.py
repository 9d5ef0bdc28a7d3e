"""What the cross-year and cross-agency rules compare a report with
(``Report.rule_context()``): last year's report of the same agency and this year's of
its siblings, read in the document structure the rules take.

Last year's report is read on every page of the section editor (for the findings and
the progress of every page). Its stored cells are three hundred columns, whose query
took a fifth of the page's time (bench/editor.py), so the cells of a report that can
no longer change (neither a draft nor returned) are read once per process and kept by
the row's id, version and time of last change. A published report is corrected through
a new revision, which is another row.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from reports import rules
from reports.models.report import GeneralSection, Report
from reports.models.states import EDITABLE_STATUSES
from reports.spec import figures as fig
from reports.spec import schema

# Last year's documents kept per process: one per clerk's report being edited; a few
# dozen KiB each.
PREVIOUS_KEPT = 256


def rule_context(report: Report) -> rules.Context:
    """Four queries at most (three when last year's cells are kept)."""
    return rules.Context(previous=previous_document(report), peers=peer_documents(report))


def previous_document(report: Report) -> dict | None:
    """What the cross-year rules (R7, R11, R12, R14, R15, R18) read of the current
    revision of the same agency's report of the year before: its stored cells (totals
    derived) and the narrative of sections 一 and 五; the rest of its narrative is never
    loaded. Two queries, one when its cells are kept. The rules only read it."""
    # The row's identity and its sub-sections of 一 (always read: they are rows of
    # their own, changed without the report's).
    rows = list(
        Report.objects.current()
        .filter(agency_id=report.agency_id, year=report.year - 1)
        .order_by("general__position", "general__pk")
        .values_list("pk", "version", "updated_at", "status", "general__heading", "general__body")
    )
    if not rows:
        return None
    pk, version, updated_at, status = rows[0][:4]
    if status in EDITABLE_STATUSES:
        cells = _read_cells(pk)
    else:
        cells = _kept_cells(pk, version, updated_at)
    if cells is None:  # deleted meanwhile
        return None
    figures, year, problems = cells
    general = [{"heading": h, "body": b} for *_, h, b in rows if h is not None]
    return {"year": year, **figures, "sections": {"general": general, "problems": problems}}


Cells = tuple[fig.Figures, int, str]


@lru_cache(maxsize=PREVIOUS_KEPT)
def _kept_cells(pk: int, version: int, updated_at: datetime) -> Cells | None:
    # The version and the time of the last change are in the key so that a row
    # changed behind the models' back (a queryset update) is read again the next time
    # it is saved, and no other row is ever taken for it.
    return _read_cells(pk)


def _read_cells(pk: int) -> Cells | None:
    """Last year's stored cells (totals derived), its year and its 五."""
    cells = schema.STORED_CELLS
    row = Report.objects.filter(pk=pk).values("year", "problems", *(c.field for c in cells)).first()
    if row is None:
        return None
    figures = fig.empty()
    for c in cells:
        fig.put(figures, c, row[c.field])
    return fig.derive_totals(figures), row["year"], row["problems"]


def peer_documents(report: Report) -> tuple[dict, ...]:
    """The narrative of 一 and 五 of the current reports of the same year of the
    other agencies under the same oversight office, for R16: two queries. Copies
    are looked for among siblings, where they happen (one district's departments
    sharing a text); comparing with every agency of a province on every save would
    cost more than it finds."""
    if report.agency.parent_id is None:
        return ()
    rows = list(
        Report.objects.current()
        .filter(year=report.year, agency__parent_id=report.agency.parent_id)
        .exclude(agency_id=report.agency_id)
        .values_list("pk", "agency__name", "problems")
    )
    if not rows:
        return ()
    bodies: dict[int, list[dict]] = {pk: [] for pk, _, _ in rows}
    sections = GeneralSection.objects.filter(report_id__in=bodies).order_by(
        "report_id", "position", "pk"
    )
    for report_id, body in sections.values_list("report_id", "body"):
        bodies[report_id].append({"body": body})
    return tuple(
        {
            "agency": name,
            "year": report.year,
            "sections": {"general": bodies[pk], "problems": problems},
        }
        for pk, name, problems in rows
    )
