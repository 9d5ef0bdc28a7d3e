"""The report as a Word document, in the layout of the PDF as far as Word allows.

Fed from ``render.render_document`` like the HTML and PDF. GB/T 9704-2012: A4, top
37 mm, binding 28 mm, text block 156 × 225 mm, title 2号 小标宋, body 3号 仿宋_GB2312
with 22 lines a page, headings 一、 in 黑体 and （一） in 楷体, page numbers `— 1 —` in
4号, odd pages right and even pages left. Fonts are named, with the East Asian font
set as well, so Word on an agency's machine uses the official fonts it has.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.printing import grid, render
from reports.spec.text import printable

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 10.5  # 五号: the ten-column matrix of section 三 does not fit at 3号
LINE_PT = 28.95  # 225 mm / 22 lines


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _paragraph(
    doc,
    text: str,
    font: str = FANGSONG,
    size: float = BODY_PT,
    *,
    indent=True,
    align=None,
    bold: bool = False,
):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # two characters
    if align is not None:
        p.alignment = align
    _font(p.add_run(printable(text)), font, size, bold)
    return p


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)  # the number sits 7 mm below the text block
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    style = document.styles["Normal"]
    style.font.name = FANGSONG
    style.font.size = Pt(BODY_PT)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)


def _page_number(paragraph, align) -> None:
    """`— 1 —` with a PAGE field, so Word numbers every page."""
    paragraph.alignment = align
    _font(paragraph.add_run("— "), "宋体", PAGE_NUMBER_PT)
    run = paragraph.add_run()
    _font(run, "宋体", PAGE_NUMBER_PT)
    parts: tuple[tuple[str, str], ...] = (
        ("begin", ""),
        ("", " PAGE "),
        ("separate", ""),
        ("", "1"),
        ("end", ""),
    )
    for kind, text in parts:
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _font(paragraph.add_run(" —"), "宋体", PAGE_NUMBER_PT)


# Column widths in mm, filling the 156 mm text block; labels get the room they need.
COLUMN_MM: dict[str, list[float]] = {
    "active_disclosure": [60, 32, 32, 32],
    "applications": [11, 13, 48.2] + [11.97] * 7,
    "review_litigation": [10.4] * 15,
}


def _table(document, table: render.Table) -> None:
    placements = grid.place(table)
    word = document.add_table(rows=grid.row_count(table), cols=table.columns)
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    widths = COLUMN_MM.get(table.key) or [156 / table.columns] * table.columns
    # The cells, looked up once: python-docx walks the whole table for every look-up,
    # which made the matrix cost a second. Merging leaves the cells of other
    # placements as they are.
    cells = [list(row.cells) for row in word.rows]
    for i, column in enumerate(word.columns):
        column.width = Mm(widths[i])
        for row in cells:
            row[i].width = Mm(widths[i])
    for p in placements:
        cell = cells[p.row][p.col]
        if p.rowspan > 1 or p.colspan > 1:
            cell = cell.merge(cells[p.row + p.rowspan - 1][p.col + p.colspan - 1])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
        if isinstance(p.item, render.Label):
            text, bold = p.item.text, p.header or p.item.css == "caption"
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER if p.header or p.item.css else WD_ALIGN_PARAGRAPH.LEFT
            )
        else:
            text, bold = p.item.display, False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(printable(text)), FANGSONG, TABLE_PT, bold)
    # Header rows repeat on every page, as in the PDF.
    for r in range(len(table.header)):
        tr_pr = word.rows[r]._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)


def build_document(doc: dict):
    rendered = render.render_document(doc)
    document = Document()
    _page_setup(document)
    _paragraph(
        document,
        rendered.title,
        XIAOBIAOSONG,
        TITLE_PT,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(document, "", indent=False)
    for text in rendered.opening:
        _paragraph(document, text)
    for section in rendered.sections:
        _paragraph(document, section.heading, HEITI, BODY_PT)
        for sub in section.subsections:
            if sub.heading:
                _paragraph(document, sub.heading, KAITI, BODY_PT)
            for text in sub.paragraphs:
                _paragraph(document, text)
        for text in section.paragraphs:
            _paragraph(document, text)
        if section.table is not None:
            _table(document, section.table)
    _paragraph(document, "", indent=False)
    for text in (rendered.signature_agency, rendered.signature_date):
        if text:
            _paragraph(document, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return document


def document_bytes(doc: dict) -> bytes:
    buffer = io.BytesIO()
    build_document(doc).save(buffer)
    return buffer.getvalue()
