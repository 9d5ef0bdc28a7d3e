"""XLSX files of the oversight pages: the roll-up tables and the dashboard table.

The roll-up tables are written from ``render.Table`` (the same model the HTML reads),
so merged headers and labels are exactly those of the official layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reports.io.xlsx import neutralise
from reports.models.states import Progress
from reports.oversight.rollup import Rollup
from reports.printing import grid, render
from reports.spec import schema

# Up to this many rows a list's XLSX is written in the request; more go to the task
# worker as an export job (``reports.oversight.exports``): a province's 182,000 findings
# took 15 s and 640 MiB in a request, its 150,000 agencies' progress 16 s and 800 MiB
# (bench/oversight.py's database).
ROWS_IN_REQUEST = 5000

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def write_table(ws: Worksheet, table: render.Table, top: int) -> int:
    """Write ``table`` with its merged cells starting at row ``top``, where
    ``grid.place`` puts them; return the next free row."""
    for p in grid.place(table):
        r, c = top + p.row, p.col + 1
        target = ws.cell(row=r, column=c)
        item = p.item
        if isinstance(item, render.ValueCell):
            target.value = item.value  # type: ignore[assignment]  # an int or a Decimal
            target.alignment = _CENTRE
            if item.cell.kind == "fee":
                target.number_format = "0.000000"
            if item.cell.derived:
                target.font = Font(bold=True)
        else:
            target.value = neutralise(item.text)
            centred = p.header or item.css in ("caption", "head", "banner", "group")
            target.alignment = _CENTRE if centred else _LEFT
            if item.css == "caption":
                target.font = Font(bold=True)
        for dr in range(p.rowspan):
            for dc in range(p.colspan):
                ws.cell(row=r + dr, column=c + dc).border = _BORDER
        if p.colspan > 1 or p.rowspan > 1:
            ws.merge_cells(
                start_row=r, start_column=c, end_row=r + p.rowspan - 1, end_column=c + p.colspan - 1
            )
    return top + grid.row_count(table) + 1


def rollup_workbook(rollup: Rollup, progress: Callable[[int], None] = lambda n: None) -> bytes:
    """The sums as the template's tables, the agencies included and missing, and the
    blank cells; ``progress`` is told each row of the agencies' sheet written."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "汇总"
    ws.cell(row=1, column=1, value=neutralise(rollup.title)).font = Font(bold=True, size=14)
    ws.cell(
        row=2,
        column=1,
        value=f"纳入汇总{rollup.reports:,}份报告，未报送{rollup.missing_count:,}个机关。",
    )
    row = 4
    for key in schema.NOTE_KEYS:
        ws.cell(row=row, column=1, value=schema.SECTION_BY_KEY[key].heading).font = Font(bold=True)
        row = write_table(ws, render.build_table(key, rollup.figures), row + 1)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 46
    for col in range(4, 17):
        ws.column_dimensions[get_column_letter(col)].width = 11
    # Printed on A4 landscape, one page wide, as the matrix is in published reports.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    agencies = wb.create_sheet("纳入与未报送")
    _append(agencies, ["纳入汇总的机关", "状态", "未报送的机关"])
    labels = dict(Progress.choices)
    for i in range(max(len(rollup.included), len(rollup.missing))):
        inc = rollup.included[i] if i < len(rollup.included) else None
        _append(
            agencies,
            [
                inc["agency"] if inc else None,
                labels.get(inc["status"], inc["status"]) if inc else None,
                rollup.missing[i] if i < len(rollup.missing) else None,
            ],
        )
        progress(i + 1)
    for letter in "AC":
        agencies.column_dimensions[letter].width = 40

    blanks = wb.create_sheet("空白单元格")
    _append(blanks, ["单元格", "空白报告数（按0计）", "机关"])
    for b in rollup.blank_cells:
        _append(blanks, [b.cell.label, b.reports, "、".join(b.agencies)])
    blanks.column_dimensions["A"].width = 50
    blanks.column_dimensions["C"].width = 80
    return _save(wb)


def streamed_workbook(title: str, header: list[str], rows: Iterable[list]) -> bytes:
    """One sheet as ``sheets_workbook`` lays one out (header bold and frozen, the first
    column wide), written row by row: a province's findings are a hundred thousand
    rows and more, which a workbook held whole made hundreds of MiB."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 36 if i == 1 else 14
    ws.freeze_panes = "A2"
    head = []
    for value in header:
        cell = WriteOnlyCell(ws, value=neutralise(value))
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([neutralise(value) for value in row])
    return _save(wb)


def sheets_workbook(
    sheets: list[tuple[str, list[str], list[list]]],
    percent_columns: dict[str, range] | None = None,
) -> bytes:
    """One sheet per (title, header, rows), header bold and frozen; the columns of
    ``percent_columns[title]`` (1-based) hold ratios shown as percentages."""
    wb = Workbook()
    for index, (title, header, rows) in enumerate(sheets):
        ws = wb.worksheets[0] if index == 0 else wb.create_sheet()
        ws.title = title[:31]
        _append(ws, header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            _append(ws, row)
        for i in range(1, len(header) + 1):
            ws.column_dimensions[get_column_letter(i)].width = 36 if i == 1 else 14
        for col in (percent_columns or {}).get(title, ()):
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = "0.0%"
        ws.freeze_panes = "A2"
    return _save(wb)


def _append(ws: Worksheet, row: list) -> None:
    # Agency names and titles are typed by people: each goes through ``neutralise``.
    ws.append([neutralise(value) for value in row])


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
