"""Figures: the values of a report's three tables, nested as the JSON format nests them.

``figures[table][row][col]`` (``figures[table][row]`` for the single-value rows of
section 二) holds an int, a Decimal (the fee) or None for a blank cell. Totals are
derived from the detail cells by the template's sums (``schema.SUMS``).
"""

from __future__ import annotations

from decimal import Decimal

from reports.spec.schema import CELLS, SUM_OF, SUMS, TABLES, Cell

Value = int | Decimal | None
Figures = dict[str, dict]


def empty() -> Figures:
    figures: Figures = {t: {} for t in TABLES}
    for c in CELLS:
        put(figures, c, None)
    return figures


def get(figures: Figures, c: Cell) -> Value:
    # Read a couple of thousand times a request (the totals, the rules, the tables):
    # indexing, with a missing or single-value row caught, is the quickest way.
    col = c.col
    try:
        row = figures[c.table][c.row]
        return row if col is None else row[col]
    except (KeyError, TypeError):  # absent, or not a row of columns
        return None


def put(figures: Figures, c: Cell, value: Value) -> None:
    table = figures.setdefault(c.table, {})
    if c.col is None:
        table[c.row] = value
    else:
        table.setdefault(c.row, {})[c.col] = value


def _sum(values: list[Value]) -> Value:
    """Sum of the known parts; blank only when every part is blank.

    A blank part is itself an R5 finding, so the partial sum is what a clerk expects
    to see while filling the table in.
    """
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def derive_totals(figures: Figures) -> Figures:
    """Fill in every derived cell from the detail cells (in place) and return figures."""
    for s in SUMS:
        put(figures, s.total, _sum([get(figures, p) for p in s.parts]))
    return figures


def expected_total(figures: Figures, c: Cell) -> Value:
    """What a derived cell must hold given the cells of ``figures``.

    Used to check totals that arrive from outside (imports), where the declared total
    may disagree with its parts. Returns None when a part is blank: such a total cannot
    be checked, and the blank part is reported by R5.
    """
    parts = [get(figures, p) for p in SUM_OF[c.address].parts]
    if any(p is None for p in parts):
        return None
    return sum(parts)  # type: ignore[arg-type]
