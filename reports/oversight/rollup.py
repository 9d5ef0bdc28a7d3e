"""The roll-up (汇总): the three tables summed over the current revision of every
report of a subtree for a year.

The sums are each region's stored totals (``reports.models.regions``, kept equal to
summing the current revisions), so the page costs the same for 30 reports or 150,000.
Blank cells count as 0 and are listed, with the agencies that left them blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from reports.io import codec
from reports.models import Agency, Report, regions
from reports.models.report import progress
from reports.spec import figures as fig
from reports.spec import schema


@dataclass
class BlankCell:
    cell: schema.Cell
    reports: int  # how many reports left it blank
    agencies: list[str] = field(default_factory=list)


@dataclass
class Rollup:
    year: int
    scope: str  # the parent agency's name, or 全部机关
    parent: Agency | None
    figures: fig.Figures
    reports: int  # how many reports were summed
    status_counts: dict[str, int]
    included: list[dict]  # {"agency", "status", "report_id"}; the first ``limit`` only
    missing_count: int
    missing: list[str]  # the first ``limit`` only
    blank_cells: list[BlankCell]

    @property
    def title(self) -> str:
        return f"{self.scope}{self.year}年政府信息公开工作年度报告汇总"

    def blank_by_agency(self) -> list[tuple[str, int]]:
        """Agencies with blank cells and how many they left blank (of those listed)."""
        counter: dict[str, int] = {}
        for b in self.blank_cells:
            for name in b.agencies:
                counter[name] = counter.get(name, 0) + 1
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    @property
    def agency_rows(self) -> int:
        """The rows of its XLSX's sheet of agencies: included beside missing."""
        return _agency_rows(self.reports, self.missing_count)

    @property
    def included_truncated(self) -> bool:
        return len(self.included) < self.reports

    @property
    def missing_truncated(self) -> bool:
        return len(self.missing) < self.missing_count

    def document(self) -> dict:
        """The roll-up as a document of SPEC §4 (no narrative), for the JSON codec."""
        doc: dict = {"agency": self.scope, "year": self.year, "title": self.title}
        doc.update(self.figures)
        doc["sections"] = schema.empty_sections()
        doc["signature"] = {"agency": self.scope, "date": None}
        return doc

    def as_json(self) -> dict:
        data = codec.to_json(self.document())
        data["rollup"] = {
            "reports": self.reports,
            "status_counts": self.status_counts,
            "included": self.included,
            "missing": self.missing,
            "blank_cells": [
                {
                    "table": b.cell.table,
                    "row": b.cell.row,
                    "col": b.cell.col,
                    "label": b.cell.label,
                    "reports": b.reports,
                    "agencies": b.agencies,
                }
                for b in self.blank_cells
            ],
        }
        return data


ALL_AGENCIES = "全部机关"


def figures_of(
    totals: regions.Totals,
) -> tuple[fig.Figures, dict[str, int], int, dict[str, int]]:
    """The figures of ``totals`` (totals derived; blank cells count as 0), the number
    of reports that left each cell blank, the number of reports and the reports by
    progress."""
    figures = fig.empty()
    for c in schema.STORED_CELLS:
        total = totals.sums.get(c.field)
        if c.kind == "fee":
            value: fig.Value = Decimal(total or 0).quantize(FEE_QUANTUM)
        else:
            value = int(total or 0)
        fig.put(figures, c, value)
    by_progress = {p: totals.by_progress.get(p, 0) for p in regions.PROGRESS_COUNTED}
    return fig.derive_totals(figures), dict(totals.blanks), totals.reports, by_progress


FEE_QUANTUM = Decimal(1).scaleb(-schema.FEE_DECIMAL_PLACES)


def agencies_in_scope(parent: Agency | None):
    return parent.subtree() if parent is not None else Agency.objects.all()


def agency_rows(parent: Agency | None, year: int) -> int:
    """``Rollup.agency_rows`` of ``compute(year, parent)``, from the region's stored
    totals alone (one query)."""
    totals = regions.totals_of(parent, year)
    return _agency_rows(totals.reports, totals.agencies - totals.reports)


def _agency_rows(included: int, missing: int) -> int:
    return max(included, missing)


def compute(year: int, parent: Agency | None = None, limit: int | None = None) -> Rollup:
    """The roll-up of ``parent``'s subtree (itself included), or of every agency.

    Four queries whatever the number of reports: the region's stored totals
    (``reports.models.regions``), the included reports, the missing agencies, who
    left cells blank. ``limit`` bounds the lists (a page shows the first ones; exports
    pass None for all)."""
    agencies = agencies_in_scope(parent)
    prefix = parent.path if parent is not None else "/"
    reports = Report.objects.current().filter(year=year, agency__path__startswith=prefix)
    totals = regions.totals_of(parent, year)
    figures, blanks, n, statuses = figures_of(totals)

    included_rows = (
        reports.annotate(progress=progress())
        .order_by("agency__path")
        .values_list("pk", "agency__name", "progress")
    )
    if limit is not None:
        included_rows = included_rows[:limit]
    included = [{"agency": name, "status": st, "report_id": pk} for pk, name, st in included_rows]
    # An agency has one current report of the year or none: the totals count both.
    missing_count = totals.agencies - totals.reports
    missing_rows = agencies.exclude(reports__year=year).order_by("path").values_list("name")
    missing = [name for (name,) in (missing_rows[:limit] if limit is not None else missing_rows)]

    blank_cells: list[BlankCell] = []
    if blanks:
        cells = [schema.CELL_BY_FIELD[f] for f in blanks]
        any_blank = Q()
        for c in cells:
            any_blank |= Q(**{f"{c.field}__isnull": True})
        by_cell: dict[str, list[str]] = {c.field: [] for c in cells}
        rows = reports.filter(any_blank).order_by("agency__path").values("agency__name", *by_cell)
        for values in rows[:limit] if limit is not None else rows:
            for name in by_cell:
                if values[name] is None:
                    by_cell[name].append(values["agency__name"])
        blank_cells = [BlankCell(c, blanks[c.field], by_cell[c.field]) for c in cells]

    return Rollup(
        year=year,
        scope=parent.name if parent is not None else ALL_AGENCIES,
        parent=parent,
        figures=figures,
        reports=n,
        status_counts=statuses,
        included=included,
        missing_count=missing_count,
        missing=missing,
        blank_cells=blank_cells,
    )


@dataclass
class YearFigures:
    """A year's figures summed over a region's reports, and how many were summed."""

    year: int
    figures: fig.Figures
    reports: int


def published_year(region: Agency, year: int) -> YearFigures:
    """The public's roll-up: the current published revision of each agency of the
    region's subtree for the year (a correction under way counts with the text it
    corrects, a draft never). Blank cells count as 0, as in every roll-up."""
    reports = Report.objects.current_published().filter(
        year=year, agency__path__startswith=region.path
    )
    figures, _, count, _ = figures_of(
        regions.live(reports, Agency.objects.none(), year, findings=False)
    )
    return YearFigures(year, figures, count)
