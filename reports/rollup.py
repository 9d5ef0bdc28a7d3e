"""The roll-up (汇总): the three tables summed over every report of a subtree for a year.

The sums are computed by the database in one aggregate query (one SUM and one COUNT
per stored cell), never by a Python loop over reports, so the Python side costs the
same for 30 reports or 3,000. Blank cells count as 0 and are
listed, with the agencies that left them blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Window

from . import schema
from .models import Agency, Report, Status


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
    def included_truncated(self) -> bool:
        return len(self.included) < self.reports

    @property
    def missing_truncated(self) -> bool:
        return len(self.missing) < self.missing_count

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
FEE_QUANTUM = Decimal(1).scaleb(-schema.FEE_DECIMAL_PLACES)


def _from_where() -> str:
    quote = connection.ops.quote_name
    return (
        f"FROM {quote(Report._meta.db_table)} r "
        f"INNER JOIN {quote(Agency._meta.db_table)} a ON a.id = r.agency_id "
        "WHERE r.year = %s AND a.path LIKE %s"
    )


def _column(c: schema.Cell) -> str:
    return "r." + connection.ops.quote_name(Report._meta.get_field(c.field).column)


def _sums_sql() -> str:
    """SUM of every stored cell and the reports per status over the reports of one
    year whose agency's path starts with a prefix.

    Written as SQL from the schema rather than as ORM aggregate expressions: the
    database does the same work, and Django's compilation of a few hundred expressions
    cost more than the query itself on a region of 3,000 agencies."""
    columns = ["COUNT(*)"] + [f"SUM({_column(c)})" for c in schema.STORED_CELLS]
    columns += [f"SUM(CASE WHEN r.status = '{s}' THEN 1 ELSE 0 END)" for s in Status.values]
    return f"SELECT {', '.join(columns)} {_from_where()}"


def _blanks_sql() -> str:
    """Per cell, how many reports left it blank. Only reports with some blank cell are
    aggregated (drafts, mostly): the count of blank cells stored with each report
    (reports.finding_counts; NULL when not yet computed) picks them out cheaply."""
    columns = [f"COUNT(*) - COUNT({_column(c)})" for c in schema.STORED_CELLS]
    some_blank = "(r.blank_count IS NULL OR r.blank_count > 0)"
    return f"SELECT {', '.join(columns)} {_from_where()} AND {some_blank}"


def aggregate_figures(
    year: int, path_prefix: str
) -> tuple[schema.Figures, dict[str, int], int, dict[str, int]]:
    """Two aggregate queries: the figures summed over the year's reports beneath
    ``path_prefix``, the number of reports that left each cell blank, the number of
    reports and the reports per status. Blank cells count as 0; totals are derived."""
    params = [year, path_prefix + "%"]
    with connection.cursor() as cursor:
        cursor.execute(_sums_sql(), params)
        sums = list(cursor.fetchone())
        cursor.execute(_blanks_sql(), params)
        blank_counts = cursor.fetchone()
    n = sums.pop(0) or 0
    figures = schema.empty_figures()
    blanks: dict[str, int] = {}
    for c, total, blank in zip(schema.STORED_CELLS, sums, blank_counts, strict=False):
        if c.kind == "fee":
            # SQLite hands back a float for a decimal column: go through its repr.
            value = Decimal(str(total)) if total is not None else Decimal(0)
            value = value.quantize(FEE_QUANTUM)
        else:
            value = int(total or 0)
        schema.put(figures, c, value)
        if blank:
            blanks[c.field] = blank
    status_counts = sums[len(schema.STORED_CELLS) :]
    statuses = {s: int(n or 0) for s, n in zip(Status.values, status_counts, strict=True)}
    return schema.derive_totals(figures), blanks, n, statuses


def agencies_in_scope(parent: Agency | None):
    return parent.subtree() if parent is not None else Agency.objects.all()


def compute(year: int, parent: Agency | None = None, limit: int | None = None) -> Rollup:
    """The roll-up of ``parent``'s subtree (itself included), or of every agency.

    Five queries whatever the number of reports: the sums, the blank counts, the
    included reports, the missing agencies (with their number), who left cells blank. ``limit``
    bounds the lists (a page shows the first ones; exports pass None for all)."""
    agencies = agencies_in_scope(parent)
    prefix = parent.path if parent is not None else "/"
    figures, blanks, n, statuses = aggregate_figures(year, prefix)
    reports = Report.objects.filter(year=year, agency__path__startswith=prefix)

    included_rows = reports.order_by("agency__path").values_list("pk", "agency__name", "status")
    if limit is not None:
        included_rows = included_rows[:limit]
    included = [{"agency": name, "status": st, "report_id": pk} for pk, name, st in included_rows]
    # The number of missing agencies rides along each row (a window count), so the
    # bounded list and the total cost one query.
    missing_rows = (
        agencies.exclude(reports__year=year)
        .annotate(how_many=Window(Count("pk")))
        .order_by("path")
        .values_list("name", "how_many")
    )
    missing_rows = list(missing_rows[:limit] if limit is not None else missing_rows)
    missing = [name for name, _ in missing_rows]
    missing_count = missing_rows[0][1] if missing_rows else 0

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
