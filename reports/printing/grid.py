"""Where each label and value of a rendered table lands on a grid.

HTML lays out ``rowspan``/``colspan`` itself; spreadsheet and Word tables need explicit
coordinates. This walks ``render.Table`` the way a browser does (a spanned cell
occupies the positions below and to the right of it), so XLSX and DOCX merge exactly
the cells the HTML merges.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.printing.render import Label, Table, ValueCell


@dataclass(frozen=True)
class Placement:
    row: int  # 0-based, header rows first
    col: int  # 0-based
    rowspan: int
    colspan: int
    item: Label | ValueCell
    header: bool


def place(table: Table) -> list[Placement]:
    occupied: set[tuple[int, int]] = set()
    placements: list[Placement] = []
    rows: list[tuple[list, bool]] = [(labels, True) for labels in table.header]
    rows += [(row.labels + row.cells, False) for row in table.rows]
    for r, (items, header) in enumerate(rows):
        c = 0
        for item in items:
            while (r, c) in occupied:
                c += 1
            rowspan = item.rowspan if isinstance(item, Label) else 1
            colspan = item.colspan
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.add((r + dr, c + dc))
            placements.append(Placement(r, c, rowspan, colspan, item, header))
            c += colspan
    return placements


def row_count(table: Table) -> int:
    return len(table.header) + len(table.rows)
