"""Recording an import: the log and the state of every cell (``reports.models.provenance``).

A cell is *read* when the source gave its value unambiguously (with its note, if the
cell carried one), *blank* when the source left it blank, wrote ``/`` or had no such
row, and *in doubt* when its column had to be guessed or when it is a published total
that disagrees with the sum of its parts (the stored figure is the sum; what was
published stays visible here).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from reports.models import CellState, ImportedCell, ImportLog, Report
from reports.rules import Finding
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.numbers import NumberError, format_fee, parse_cell

if TYPE_CHECKING:
    from reports.io.imports import Reading


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_fee(value) or ""
    return str(value)


def _number(c: schema.Cell, text: str | None) -> object:
    try:
        return parse_cell(c, text)
    except (NumberError, InvalidOperation):
        return None


def cell_states(report: Report, reading: Reading) -> list[ImportedCell]:
    figures = report.figures()
    cells: list[ImportedCell] = []
    for c in schema.CELLS:
        stored = fig.get(figures, c)
        read = reading.reads.get(c.address)
        if read is None:
            # JSON and workbooks: the project's own files, every value as written.
            raw = fig.get(reading.raw, c) if isinstance(reading.raw, dict) else None
            state = CellState.READ if stored is not None or c.derived else CellState.BLANK
            cells.append(ImportedCell(field=c.field, state=state, published=_shown(raw)))
            continue
        published = read.source[:200]
        note = read.note[:300]
        if c.derived:
            declared = _number(c, read.value)
            if declared is not None and stored is not None and declared != stored:
                note = f"原文总计为{_shown(declared)}，各项之和为{_shown(stored)}，已按各项之和计"
                state = CellState.DOUBTFUL
            else:
                state = (
                    CellState.DOUBTFUL if read.doubtful and declared is not None else CellState.READ
                )
        elif read.doubtful:
            state = CellState.DOUBTFUL
        elif stored is None:
            state = CellState.BLANK
            if read.missing:
                note = "原文没有这一行"
        else:
            state = CellState.READ
        cells.append(ImportedCell(field=c.field, state=state, published=published, note=note))
    return cells


def record(
    report: Report, reading: Reading, name: str, user: Any, findings: list[Finding]
) -> ImportLog:
    raw = reading.raw if isinstance(reading.raw, dict) else {}
    log = ImportLog.objects.create(
        report=report,
        imported_by=user if getattr(user, "pk", None) else None,
        filename=name[:255],
        kind=reading.kind,
        source_title=str(raw.get("title") or "")[:300],
        headings=raw.get("headings") or [],
        notes=[f.as_dict() for f in reading.notes],
        findings=[f.as_dict() for f in findings],
    )
    cells = cell_states(report, reading)
    for cell in cells:
        cell.log = log
    ImportedCell.objects.bulk_create(cells)
    return log
