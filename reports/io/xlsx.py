"""One report as an XLSX workbook laid out like the official form, and back.

The three tables are drawn from ``render.build_table`` (the same model as the HTML and
PDF), with merged header cells, totals as live formulas, the label cells protected and
data validation on the cells clerks fill. A hidden sheet maps every cell key to its
sheet and coordinate, so reading a workbook never depends on its layout: the workbook
round-trips exactly, and an error names the sheet and the cell (``表三 C12``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar, overload

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reports.io.archive import ArchiveRefused, open_zip
from reports.io.errors import ImportRefused
from reports.printing import grid, render
from reports.rules import Finding
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.numbers import NumberError, format_fee, parse_cell

KEY_SHEET = "_keys"
FORMAT_VERSION = "goireport-xlsx-1"
SHEET_NAMES = {t: f"表{schema.TABLE_NUMERALS[t]}" for t in schema.TABLES}
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a zip bomb is refused before openpyxl sees it
_MAX_CONTENT_TYPES = 64 * 1024
# XML that defusedxml refuses (entity declarations) is reported like any broken file.
_UNREADABLE = "文件已损坏或含有不允许的内容（如XML实体），无法作为XLSX工作簿打开。"

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
_TOTAL_FILL = PatternFill("solid", fgColor="EEEEEE")
_FONT = Font(name="仿宋_GB2312", size=11)
_BOLD = Font(name="黑体", size=12, bold=True)

_T = TypeVar("_T")
_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@overload
def neutralise(value: str) -> str: ...
@overload
def neutralise(value: _T) -> _T: ...
def neutralise(value: object) -> object:
    """Every text that came from a person goes into a spreadsheet through here: one
    that a spreadsheet would run as a formula gets a leading quote, and control
    characters the file format cannot hold (stored before input refused them) are
    dropped rather than failing the whole download."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(_INJECTION_PREFIXES):
        return "'" + value
    return value


def _unneutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith("'") and value[1:2] in _INJECTION_PREFIXES:
        return value[1:]
    return value


# --- writing -----------------------------------------------------------------------


@dataclass
class _Placed:
    coordinate: str
    value_cell: render.ValueCell


def _layout(ws: Worksheet, table: render.Table, first_row: int) -> list[_Placed]:
    placed: list[_Placed] = []
    for p in grid.place(table):
        r, col = first_row + p.row, p.col + 1
        cell = ws.cell(row=r, column=col)
        if p.colspan > 1 or p.rowspan > 1:
            ws.merge_cells(
                start_row=r,
                start_column=col,
                end_row=r + p.rowspan - 1,
                end_column=col + p.colspan - 1,
            )
        for dr in range(p.rowspan):
            for dc in range(p.colspan):
                ws.cell(row=r + dr, column=col + dc).border = _BORDER
        if isinstance(p.item, render.Label):
            cell.value = p.item.text
            cell.font = _BOLD if p.header else _FONT
            cell.alignment = _CENTER if p.header or p.item.css else _LEFT
        else:
            cell.font = _FONT
            cell.alignment = _CENTER
            placed.append(_Placed(cell.coordinate, p.item))
    return placed


def _formula(c: schema.Cell, coords: dict[tuple, str]) -> str:
    """A derived cell as a live formula over its parts (the template's sums)."""
    parts = [coords[p.address] for p in schema.SUM_OF[c.address].parts]
    return "=SUM(" + ",".join(parts) + ")"


def build_workbook(doc: dict, blank: bool = False) -> Workbook:
    """The workbook of a report's document; ``blank`` leaves the input cells empty."""
    figures = fig.empty() if blank else doc
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    keys = wb.create_sheet(KEY_SHEET)
    keys.append(["key", "value", "sheet", "cell"])
    keys.append(["format", FORMAT_VERSION, "", ""])
    keys.append(["agency", neutralise(doc.get("agency", "")), "", ""])
    keys.append(["year", doc.get("year"), "", ""])
    keys.append(["title", neutralise(doc.get("title", "")), "", ""])

    count_rule = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(schema.MAX_COUNT),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="应为非负整数",
    )
    fee_rule = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="应为非负数（单位：万元）",
    )
    for table in schema.TABLES:
        ws = wb.create_sheet(SHEET_NAMES[table], index=len(wb.sheetnames) - 1)
        section = schema.SECTION_BY_KEY[table]
        rendered = render.build_table(table, figures)
        ws.cell(row=1, column=1, value=section.heading).font = Font(name="黑体", size=14, bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=rendered.columns)
        placed = _layout(ws, rendered, first_row=2)
        coords = {p.value_cell.cell.address: p.coordinate for p in placed}
        cv, fv = DataValidation(**_dv_kwargs(count_rule)), DataValidation(**_dv_kwargs(fee_rule))
        for p in placed:
            c = p.value_cell.cell
            target = ws[p.coordinate]
            keys.append([c.field, "", ws.title, p.coordinate])
            if c.derived:
                target.value = _formula(c, coords)
                target.fill = _TOTAL_FILL
                continue
            value = p.value_cell.value
            target.value = float(value) if isinstance(value, Decimal) else value
            if c.kind == "fee":
                target.number_format = "0.######"
                fv.add(p.coordinate)
            else:
                target.number_format = "0"
                cv.add(p.coordinate)
            target.protection = Protection(locked=False)
            target.fill = _INPUT_FILL
        for dv in (cv, fv):
            if dv.sqref:
                ws.add_data_validation(dv)
        ws.protection.sheet = True
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        _size(ws, table, rendered, first_row=2)
    keys.sheet_state = "hidden"
    keys.protection.sheet = True
    wb.active = 0
    return wb


# Column widths in character units; the matrix's label columns need room.
COLUMN_WIDTHS: dict[str, list[float]] = {
    "active_disclosure": [24, 18, 18, 18],
    "applications": [8, 10, 40, *[10] * 7],
    "review_litigation": [9] * 15,
}


def _size(ws: Worksheet, table: str, rendered: render.Table, first_row: int) -> None:
    """Widths, row heights for wrapped labels, and printing on A4 landscape, one page wide."""
    widths = COLUMN_WIDTHS[table]
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    heights: dict[int, float] = {}
    for p in grid.place(rendered):
        if not isinstance(p.item, render.Label) or p.rowspan > 1:
            continue
        room = sum(widths[p.col : p.col + p.colspan])
        lines = max(1, -(-len(p.item.text) * 2 // int(room)))  # a Chinese character is ~2
        row = first_row + p.row
        heights[row] = max(heights.get(row, 15), 15 * lines)
    for row, height in heights.items():
        ws.row_dimensions[row].height = height
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = (
        f"{first_row}:{first_row + len(rendered.header) - 1}" if rendered.header else None
    )


def _dv_kwargs(dv: DataValidation) -> dict:
    return {
        "type": dv.type,
        "operator": dv.operator,
        "formula1": dv.formula1,
        "formula2": dv.formula2,
        "allow_blank": dv.allow_blank,
        "showErrorMessage": True,
        "errorTitle": dv.errorTitle,
        "error": dv.error,
    }


def workbook_bytes(doc: dict, blank: bool = False) -> bytes:
    buffer = io.BytesIO()
    build_workbook(doc, blank).save(buffer)
    return buffer.getvalue()


# --- reading -----------------------------------------------------------------------


def _refuse(message: str) -> ImportRefused:
    return ImportRefused([Finding("格式", "error", message)])


def sniff_workbook(data: bytes) -> None:
    """Refuse, by content, anything that is not a plain XLSX workbook: judged from the
    ZIP directory (sizes, members) before anything is unpacked."""
    try:
        archive = open_zip(data, max_unpacked=MAX_UNCOMPRESSED)
    except ArchiveRefused as exc:
        raise _refuse(f"工作簿无法读取：{exc}") from None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("文件已损坏，无法作为XLSX工作簿打开。") from None
    with archive:
        names = set(archive.namelist())
        try:
            types = archive.getinfo("[Content_Types].xml")
            # A few hundred bytes in any real workbook.
            content_types = archive.read(types) if types.file_size <= _MAX_CONTENT_TYPES else b""
        except KeyError:
            content_types = b""
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise _refuse("文件已损坏，无法作为XLSX工作簿打开。") from None
    if "xl/workbook.xml" not in names or not content_types:
        raise _refuse("文件不是XLSX工作簿（可能是其他Office文件或压缩包）。")
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise _refuse("不接受含宏的工作簿（.xlsm），请另存为普通的.xlsx后再上传。")


def _cell_value(c: schema.Cell, value: object) -> object:
    """Excel hands over whole numbers as int or float; a float that is whole is the
    number the clerk typed."""
    if isinstance(value, float):
        if c.kind == "count":
            if value.is_integer():
                return int(value)
            raise NumberError("应为整数，不能有小数")
        return repr(value)
    if isinstance(value, bool):
        raise NumberError("应为非负整数")
    if isinstance(value, str | int | Decimal) or value is None:
        return value
    raise NumberError("应为数字")


def read_workbook(data: bytes) -> dict:
    """The interchange object of a workbook written by ``build_workbook``, all cells
    checked; raises ImportRefused naming every bad cell by sheet and coordinate."""
    sniff_workbook(data)
    # Opened twice: with the values Excel cached, and with the formulas, so that an
    # input cell holding a formula without a cached value ("=1+1" written by a tool
    # that does not calculate) is refused instead of being read as blank.
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_vba=False)
        formulas = load_workbook(io.BytesIO(data), read_only=True, keep_vba=False)
    except Exception:  # openpyxl raises many kinds for a malformed file
        raise _refuse(_UNREADABLE) from None
    try:
        return _read(wb, formulas)
    except ImportRefused:
        raise
    except Exception:  # read-only sheets are parsed here: entities, broken XML
        raise _refuse(
            "文件已损坏或含有不允许的内容（如XML实体），无法作为XLSX工作簿读取。"
        ) from None
    finally:
        wb.close()
        formulas.close()


def _read(wb, formulas) -> dict:
    if KEY_SHEET not in wb.sheetnames:
        raise _refuse("工作簿缺少键值表，不是从本系统下载的填报模板，请先下载模板再填写。")
    meta: dict[str, object] = {}
    where: dict[str, tuple[str, str]] = {}
    for row in wb[KEY_SHEET].iter_rows(min_row=2, values_only=True):
        if not row or row[0] is None:
            continue
        key, value, sheet, coordinate = (list(row) + [None] * 4)[:4]
        if sheet and coordinate:
            where[str(key)] = (str(sheet), str(coordinate))
        else:
            meta[str(key)] = _unneutralise(value)
    if meta.get("format") != FORMAT_VERSION:
        raise _refuse("工作簿的版本无法识别，请重新下载模板。")
    missing = [c for c in schema.CELLS if c.field not in where]
    if missing or any(s not in wb.sheetnames for s, _ in where.values()):
        raise _refuse("工作簿的键值表已被改动，无法确定各单元格的含义，请重新下载模板。")

    sheets = {name: _sheet_values(wb[name]) for name in set(s for s, _ in where.values())}
    written = {name: _sheet_values(formulas[name]) for name in sheets}
    raw: dict = {
        "agency": meta.get("agency"),
        "year": _year(meta.get("year")),
        "title": meta.get("title") or "",
    }
    errors: list[Finding] = []
    for c in schema.CELLS:
        sheet, coordinate = where[c.field]
        value = sheets[sheet].get(coordinate)
        try:
            formula = written[sheet].get(coordinate)
            if value is None and not c.derived and isinstance(formula, str) and formula[:1] == "=":
                raise NumberError(
                    f"公式“{formula[:30]}”没有计算结果，请直接填写数字，"
                    "或在Excel/WPS中打开、保存后再上传"
                )
            value = _cell_value(c, value)
            parsed = parse_cell(c, value)
        except NumberError as exc:
            errors.append(
                Finding("R5", "error", f"{sheet} {coordinate}：{exc}（{c.label}）", (c.address,))
            )
            parsed = None
        if isinstance(parsed, Decimal):
            parsed = format_fee(parsed)
        fig.put(raw, c, parsed)
    if errors:
        raise ImportRefused(errors)
    return raw


def _sheet_values(ws) -> dict[str, object]:
    values: dict[str, object] = {}
    for row in ws.iter_rows():
        for cell in row:
            if getattr(cell, "value", None) is not None and hasattr(cell, "coordinate"):
                values[cell.coordinate] = cell.value
    return values


def _year(value: object) -> object:
    if isinstance(value, float) and value.is_integer() and abs(value) < 10_000:
        return int(value)
    # Four ASCII digits only: str.isdigit() is also true of "²" and of 5,000 digits,
    # which int() refuses with an exception of its own.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}", value.strip()):
        return int(value)
    return value
