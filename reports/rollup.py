"""The roll-up (汇总): the three tables summed over every report of a subtree for a year.

The sums are computed by the database in one aggregate query (one ``Sum`` and one
null count per stored cell), never by a Python loop over reports, so the cost does not
grow with the number of reports on the Python side. Blank cells count as 0 and are
listed, with the agencies that left them blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from . import schema
from .models import Agency, Report


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
    figures: schema.Figures
    included: list[dict]  # {"agency", "status", "report_id"}
    missing: list[str]
    blank_cells: list[BlankCell]

    @property
    def title(self) -> str:
        return f"{self.scope}{self.year}年政府信息公开工作年度报告汇总"

    def document(self) -> dict:
        """The roll-up as a document of SPEC §4 (no narrative), for the JSON codec."""
        from .codec import empty_sections

        doc: dict = {"agency": self.scope, "year": self.year, "title": self.title}
        doc.update(self.figures)
        doc["sections"] = empty_sections()
        doc["signature"] = {"agency": self.scope, "date": None}
        return doc

    def as_json(self) -> dict:
        from .codec import to_json

        data = to_json(self.document())
        data["rollup"] = {
            "reports": len(self.included),
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


def _sum_key(c: schema.Cell) -> str:
    return "sum__" + c.field


def _blank_key(c: schema.Cell) -> str:
    return "blank__" + c.field


def aggregate_figures(reports) -> tuple[schema.Figures, dict[str, int]]:
    """One query: the sum of every stored cell over ``reports`` and how many of them
    left each cell blank. Totals are derived from the summed parts."""
    aggregates = {}
    for c in schema.STORED_CELLS:
        aggregates[_sum_key(c)] = Sum(c.field)
        aggregates[_blank_key(c)] = Count("pk", filter=Q(**{f"{c.field}__isnull": True}))
    row = reports.aggregate(**aggregates)
    figures = schema.empty_figures()
    blanks: dict[str, int] = {}
    for c in schema.STORED_CELLS:
        value = row[_sum_key(c)]
        if value is None:
            value = Decimal(0) if c.kind == "fee" else 0
        if c.kind == "fee":
            value = Decimal(value).quantize(Decimal(1).scaleb(-schema.FEE_DECIMAL_PLACES))
        schema.put(figures, c, value)
        if row[_blank_key(c)]:
            blanks[c.field] = row[_blank_key(c)]
    return schema.derive_totals(figures), blanks


def agencies_in_scope(parent: Agency | None):
    return parent.subtree() if parent is not None else Agency.objects.all()


def compute(year: int, parent: Agency | None = None) -> Rollup:
    """The roll-up of ``parent``'s subtree (itself included), or of every agency.

    Five queries whatever the number of reports: sums, included reports, missing
    agencies, and the reports with blank cells (usually few)."""
    agencies = agencies_in_scope(parent)
    reports = Report.objects.filter(year=year, agency__in=agencies)
    figures, blanks = aggregate_figures(reports)

    included = [
        {"agency": name, "status": status, "report_id": pk}
        for pk, name, status in reports.order_by("agency__path").values_list(
            "pk", "agency__name", "status"
        )
    ]
    missing = list(
        agencies.exclude(reports__year=year).order_by("path").values_list("name", flat=True)
    )

    blank_cells: list[BlankCell] = []
    if blanks:
        cells = [schema.CELL_BY_FIELD[f] for f in blanks]
        any_blank = Q()
        for c in cells:
            any_blank |= Q(**{f"{c.field}__isnull": True})
        by_cell: dict[str, list[str]] = {c.field: [] for c in cells}
        rows = reports.filter(any_blank).order_by("agency__path")
        for values in rows.values("agency__name", *by_cell):
            for name in by_cell:
                if values[name] is None:
                    by_cell[name].append(values["agency__name"])
        blank_cells = [BlankCell(c, blanks[c.field], by_cell[c.field]) for c in cells]

    return Rollup(
        year=year,
        scope=parent.name if parent is not None else ALL_AGENCIES,
        parent=parent,
        figures=figures,
        included=included,
        missing=missing,
        blank_cells=blank_cells,
    )
