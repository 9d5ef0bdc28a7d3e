"""A Word file (.docx) as lines: its paragraphs in order, with their heading styles,
and its real tables on their grid (merged cells expanded, the covered positions
``None``), read with python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from reports.io.archive import ArchiveRefused, open_zip
from reports.io.published.source import Line, SourceError, row

MAX_DOCX_XML_BYTES = 50 * 1024 * 1024  # the unpacked document.xml of a zip bomb
MAX_DOCX_BYTES = 50 * 1024 * 1024  # the whole package unpacked, pictures included


def _check_package(data: bytes) -> None:
    try:
        with open_zip(data, max_unpacked=MAX_DOCX_BYTES) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                if "xl/workbook.xml" in names:
                    raise SourceError("这是Excel工作簿，不是Word文档。")
                raise SourceError("文件不是Word文档（.docx），无法读取。")
            if "word/vbaProject.bin" in names:
                raise SourceError("不接受含宏的Word文档（.docm），请另存为.docx后再上传。")
            if archive.getinfo("word/document.xml").file_size > MAX_DOCX_XML_BYTES:
                raise SourceError("Word文档内容过大，无法读取。")
    except ArchiveRefused as exc:
        raise SourceError(f"Word文档无法读取：{exc}") from None
    except zipfile.BadZipFile:
        raise SourceError("Word文档已损坏，无法读取。") from None


def _paragraph_text(p: etree._Element) -> str:
    """The text of a paragraph element, tabs and breaks as spaces."""
    parts: list[str] = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if el.tag == qn("w:t"):
            parts.append(el.text or "")
        else:
            parts.append(" ")
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    return "\n".join(t for p in tc.iter(qn("w:p")) if (t := _paragraph_text(p).strip()))


def _is_heading(paragraph: Paragraph) -> bool:
    style = paragraph.style
    name = (style.name or "") if style is not None else ""
    return name.lower().startswith(("heading", "title")) or name.startswith(("标题", "题目"))


def _table_lines(table: Table) -> list[Line]:
    """A table on its grid. Word stores a horizontal merge as one cell spanning grid
    columns (gridSpan) and a vertical merge as cells continuing the one above (vMerge)."""
    lines: list[Line] = []
    for tr in table._tbl.tr_lst:
        cells: list[str | None] = []
        for tc in tr.tc_lst:
            span = tc.grid_span
            if tc.vMerge == "continue":
                cells.extend([None] * span)
                continue
            if tc.find(".//" + qn("w:tbl")) is not None:
                # A layout table holding the report: read what it holds as blocks.
                lines.extend(_blocks(tc, table.part))
                continue
            cells.append(_cell_text(tc))
            cells.extend([None] * (span - 1))
        made = row(cells)
        if made is not None:
            lines.append(made)
    return lines


def _blocks(parent: etree._Element, part) -> list[Line]:
    lines: list[Line] = []
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, part)
            text = _paragraph_text(child).strip()
            if text:
                lines.append(Line(text, heading=_is_heading(paragraph)))
            else:
                lines.append(Line(""))
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_lines(Table(child, part)))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                lines.extend(_blocks(content, part))
    return lines


def docx_lines(data: bytes) -> list[Line]:
    _check_package(data)
    try:
        document: Document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise SourceError(f"Word文档无法打开（{type(exc).__name__}），请确认文件未损坏。") from None
    return _blocks(document.element.body, document.part)
