"""Published reports as agencies keep them, made from edited copies of the seeds.

A ``Variant`` is a seed's figures with one or more of the variants of SPEC §6 applied
(a row left out, tables renumbered, a heading reworded or missing, a note in a cell,
very large counts, fees to the fen, …). It is written the way agencies publish: a Word
file (python-docx, real merged cells), a PDF (WeasyPrint, from a layout unlike the
project's own print layout), a portal's web page (menus, footer, ``0&nbsp;`` cells,
digits split across ``<span>``s) and text as PDF tools and Word export it (TAB rows,
space-separated rows, one cell per line). ``expected`` is what the importer must read:
the seed's JSON with the edits, worked out by hand, never by the code under test.
"""

from __future__ import annotations

import copy
import html as html_escape
import io
from dataclasses import dataclass, field

from reports.spec import schema

HEADINGS = [s.heading for s in schema.SECTIONS]
SUBHEADINGS = ["主动公开情况", "依申请公开情况", "政府信息管理情况", "政府信息公开平台建设情况"]
PROBLEMS = "存在的问题是公开内容不够丰富，下一步将加强信息发布审核。"
OTHER = "本年度未收取信息处理费。"
OPENING = "本报告根据《中华人民共和国政府信息公开条例》编制，数据统计期限为2023年1月1日至12月31日。"


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Variant:
    name: str
    expected: dict  # the interchange object the import must produce (figures)
    title: str = ""
    headings: list[str | None] = field(default_factory=lambda: list(HEADINGS))
    renumbered: bool = False  # narrative 一–六, tables 一–三, then 四 and 五
    drop_rows: set[str] = field(default_factory=set)  # e.g. {"rules"}
    texts: dict[tuple, str] = field(default_factory=dict)  # a cell's text as published
    note_after_review: str = ""
    page_break: bool = False  # a page number and the header again inside the matrix
    halfwidth: bool = False  # (一) in sub-headings
    format_2019: bool = False
    expected_headings: list[str | None] | None = None

    @property
    def agency(self) -> str:
        return self.expected["agency"]


def _value_text(v: Variant, table: str, row: str, col: str | None) -> str:
    if (table, row, col) in v.texts:
        return v.texts[(table, row, col)]
    value = v.expected[table][row] if col is None else v.expected[table][row][col]
    return "" if value is None else str(value)


# --- the tables as grids -------------------------------------------------------------


def active_grid(v: Variant) -> list[list[Cell]]:
    heads = ["本年制发件数", "本年废止件数", "现行有效件数"]
    if v.format_2019:
        heads = ["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    rows: list[list[Cell]] = []
    for table in schema.ACTIVE_TABLES:
        rows.append([Cell(table.caption, colspan=4)])
        if len(table.value_headers) == 3:
            rows.append([Cell("信息内容"), *(Cell(h) for h in heads)])
        else:
            rows.append([Cell("信息内容"), Cell(table.value_headers[0][1], colspan=3)])
        for key, label in table.rows:
            if key in v.drop_rows:
                continue
            if len(table.value_headers) == 3:
                cols = ("issued", "repealed", "in_force")
                values = [Cell(_value_text(v, "active_disclosure", key, c)) for c in cols]
                rows.append([Cell(label), *values])
            else:
                text = _value_text(v, "active_disclosure", key, None)
                rows.append([Cell(label), Cell(text, colspan=3)])
    return rows


def matrix_header() -> list[list[Cell]]:
    return [
        [Cell(schema.CORNER_NOTE, rowspan=3, colspan=3), Cell("申请人情况", colspan=7)],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(c.label) for c in schema.APPLICANT_COLUMNS[1:]],
    ]


def matrix_grid(v: Variant) -> tuple[list[list[Cell]], int]:
    """The matrix and the number of its header rows."""
    rows = matrix_header()
    cols = [c.key for c in schema.APPLICATION_COLUMNS]
    results = [r for r in schema.APPLICATION_ROWS if r.in_results]
    groups: dict[str, int] = {}
    for r in results:
        if r.group:
            groups[r.group] = groups.get(r.group, 0) + 1
    seen: set[str] = set()
    for r in schema.APPLICATION_ROWS:
        values = [Cell(_value_text(v, "applications", r.key, c)) for c in cols]
        if not r.in_results:
            rows.append([Cell(r.label, colspan=3), *values])
            continue
        lead: list[Cell] = []
        if r is results[0]:
            lead.append(Cell(schema.RESULTS_BANNER, rowspan=len(results)))
        if r.group is None:
            lead.append(Cell(r.label, colspan=2))
        else:
            if r.group not in seen:
                seen.add(r.group)
                lead.append(Cell(r.group, rowspan=groups[r.group]))
            lead.append(Cell(r.label))
        rows.append([*lead, *values])
    return rows, 3


def review_grid(v: Variant) -> list[list[Cell]]:
    outcomes = [o.label for o in schema.REVIEW_OUTCOMES]
    values = [
        Cell(_value_text(v, "review_litigation", b.key, o.key))
        for b in schema.REVIEW_BLOCKS
        for o in schema.REVIEW_OUTCOMES
    ]
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [
            *(Cell(o, rowspan=2) for o in outcomes),
            Cell("未经复议直接起诉", colspan=5),
            Cell("复议后起诉", colspan=5),
        ],
        [*(Cell(o) for o in outcomes), *(Cell(o) for o in outcomes)],
        values,
    ]


def expand(grid: list[list[Cell]]) -> list[list[str | None]]:
    """The grid with merged positions: None where a merged cell continues."""
    placed: dict[tuple[int, int], str | None] = {}
    width = 0
    for r, cells in enumerate(grid):
        c = 0
        for cell in cells:
            while (r, c) in placed:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    placed[(r + dr, c + dc)] = cell.text if (dr, dc) == (0, 0) else None
            c += cell.colspan
            width = max(width, c)
    return [[placed.get((r, c)) for c in range(width)] for r in range(len(grid))]


# --- the document's blocks -------------------------------------------------------------


def blocks(v: Variant) -> list[tuple[str, object]]:
    """The report as ("title"|"heading"|"sub"|"para"|"table"|"right", content)."""
    b: list[tuple[str, object]] = [("title", v.title or v.expected["title"]), ("para", OPENING)]
    h = v.headings

    def heading(i: int) -> None:
        if h[i] is not None:
            b.append(("heading", h[i]))

    def sub(n: str, text: str) -> None:
        b.append(("sub", f"({n}){text}" if v.halfwidth else f"（{n}）{text}"))

    heading(0)
    b.append(("para", "本年度政府信息公开工作有序开展。"))
    if v.renumbered:
        for n, text in zip("二三四五六", [*SUBHEADINGS, "监督保障情况"], strict=True):
            b.append(("heading", f"{n}、{text}"))
            b.append(("para", f"{text}：按要求开展工作。"))
    else:
        for n, text in zip("一二三四", SUBHEADINGS, strict=True):
            sub(n, text)
            b.append(("para", f"{text}按要求开展工作，本年度工作正常。"))
    matrix, header_rows = matrix_grid(v)
    tables = [("active", active_grid(v)), ("matrix", matrix), ("review", review_grid(v))]
    for i, (kind, grid) in enumerate(tables, start=1):
        heading(i)
        b.append(("table", (kind, grid, header_rows if kind == "matrix" else 0)))
        if kind == "review" and v.note_after_review:
            b.append(("para", v.note_after_review))
    heading(4)
    b.append(("para", PROBLEMS))
    heading(5)
    b.append(("para", OTHER))
    b.append(("right", v.agency))
    b.append(("right", "2024年1月10日"))
    return b


# --- writers -----------------------------------------------------------------------------

PORTAL_HEAD = (
    "<div class='top'><ul class='menu'><li><a href='/'>首页</a></li>"
    "<li><a href='/zwgk'>政务公开</a></li><li><a href='/bs'>办事服务</a></li>"
    "<li><a href='/hd'>互动交流</a></li></ul></div>"
    "<div class='crumb'>您当前的位置：<a href='/'>首页</a> &gt; "
    "<a href='/zwgk'>政府信息公开年报</a></div>"
    "<div class='info'>发布日期：2024-01-15 来源：本机关 浏览次数：128</div>"
)
PORTAL_FOOT = (
    "<div class='tools'>【<a href='#'>打印本页</a>】【<a href='#'>关闭窗口</a>】</div>"
    "<div class='related'><h3>相关链接</h3><ul><li><a href='/a'>某某局2022年政府信息公开工作"
    "年度报告</a></li></ul></div><div class='footer'><p>主办单位：某某市人民政府办公室</p>"
    "<p>网站标识码：3302110001 浙ICP备12345678号</p></div>"
)


def _html_cell(text: str | None, spans: bool) -> str:
    if not text:
        return "&nbsp;"
    if spans and text.isdigit():
        # Word's HTML: a number split into runs, a non-breaking space after it.
        return "".join(f"<span lang='EN-US'>{d}</span>" for d in text) + "&nbsp;"
    escaped = html_escape.escape(text)
    return escaped.replace("商业企业", "商业<br>企业").replace("法律服务机构", "法律<br>服务机构")


def html_table(grid: list[list[Cell]], header_rows: int = 0, spans: bool = True) -> str:
    def tr(cells: list[Cell]) -> str:
        out = []
        for c in cells:
            attrs = (f" rowspan='{c.rowspan}'" if c.rowspan > 1 else "") + (
                f" colspan='{c.colspan}'" if c.colspan > 1 else ""
            )
            out.append(f"<td{attrs}><p class='MsoNormal'>{_html_cell(c.text, spans)}</p></td>")
        return "<tr>" + "".join(out) + "</tr>"

    head = "".join(tr(r) for r in grid[:header_rows])
    body = "".join(tr(r) for r in grid[header_rows:])
    thead = f"<thead>{head}</thead>" if head else ""
    return f"<table class='data' border='1' cellspacing='0'>{thead}<tbody>{body}</tbody></table>"


def to_html(v: Variant, portal: bool = True, spans: bool = True) -> str:
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'>"]
    parts.append(f"<title>{v.expected['title']}_某某门户网站</title>")
    parts.append("<style>td{border:1px solid #000;padding:2px}</style></head><body>")
    if portal:
        parts.append(PORTAL_HEAD)
    parts.append("<div class='article'>")
    for kind, content in blocks(v):
        if kind == "title":
            parts.append(f"<h1>{content}</h1>")
        elif kind == "heading":
            parts.append(f"<p><strong>{content}</strong></p>")
        elif kind in ("sub", "para"):
            parts.append(f"<p>{content}</p>")
        elif kind == "right":
            parts.append(f"<p style='text-align:right'>{content}</p>")
        else:
            _, grid, header_rows = content  # type: ignore[misc]
            parts.append(html_table(grid, header_rows, spans))
    parts.append("</div>")
    if portal:
        parts.append(PORTAL_FOOT)
    parts.append("</body></html>")
    return "".join(parts)


PDF_CSS = """
@page { size: A4 landscape; margin: 18mm 15mm 20mm 15mm;
  @bottom-center { content: "— " counter(page) " —"; font-size: 10pt; } }
body { font-family: "GOI Hei", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt;
  line-height: 1.5; }
h1 { font-size: 15pt; text-align: left; }
.heading { font-weight: bold; margin: 6pt 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
td { border: 0.6pt solid #333; padding: 1pt 2pt; font-size: 8pt; text-align: center; }
.right { text-align: right; }
"""


def to_pdf(v: Variant) -> bytes:
    from weasyprint import HTML

    from reports.printing.fonts import font_face_css

    # The sans-serif face cut by the project (a free font, subset once per machine):
    # embedding the whole CJK font would cost seconds per PDF.
    css = font_face_css() + PDF_CSS
    parts = [f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>"]
    for kind, content in blocks(v):
        if kind == "title":
            parts.append(f"<h1>{content}</h1>")
        elif kind == "heading":
            parts.append(f"<p class='heading'>{content}</p>")
        elif kind in ("sub", "para"):
            parts.append(f"<p>{content}</p>")
        elif kind == "right":
            parts.append(f"<p class='right'>{content}</p>")
        else:
            _, grid, header_rows = content  # type: ignore[misc]
            parts.append(html_table(grid, header_rows, spans=False))
            if v.page_break and header_rows:
                # A page break inside the matrix: WeasyPrint repeats the <thead>.
                parts[-1] = parts[-1].replace(
                    "<tr><td><p class='MsoNormal'>5.属于三类",
                    "<tr style='break-before: page'><td><p class='MsoNormal'>5.属于三类",
                )
    parts.append("</body></html>")
    return HTML(string="".join(parts)).write_pdf()


def to_docx(v: Variant) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for kind, content in blocks(v):
        if kind == "title":
            document.add_heading(str(content), level=0)
        elif kind == "heading":
            document.add_heading(str(content), level=1)
        elif kind in ("sub", "para"):
            document.add_paragraph(str(content))
        elif kind == "right":
            document.add_paragraph(str(content)).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            _, grid, header_rows = content  # type: ignore[misc]
            full = expand(grid)
            if v.page_break and header_rows:
                # A header repeated as rows of its own, as when a table is pasted
                # from two pages.
                full = [*full[:12], *full[:header_rows], *full[12:]]
            anchor = document.add_paragraph()
            anchor._p.addnext(_docx_table(grid, full[:header_rows] if v.page_break else []))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(grid: list[list[Cell]], repeat: list[list[str | None]]):
    """A Word table written as WordprocessingML: merged cells as gridSpan (columns) and
    vMerge (rows), as Word stores them. ``repeat``: header rows repeated after row 12,
    as when a table is pasted from two pages."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    placed: dict[tuple[int, int], tuple[Cell, bool]] = {}  # (row, col) -> cell, is start
    width = 0
    for r, cells in enumerate(grid):
        c = 0
        for cell in cells:
            while (r, c) in placed:
                c += 1
            for dr in range(cell.rowspan):
                placed[(r + dr, c)] = (cell, dr == 0)
            for dc in range(1, cell.colspan):
                for dr in range(cell.rowspan):
                    placed[(r + dr, c + dc)] = (cell, False)
            c += cell.colspan
            width = max(width, c)

    def tc(text: str, span: int, merge: str | None) -> str:
        props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
            f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>" if merge else ""
        )
        run = f"<w:r><w:t xml:space='preserve'>{escape(text)}</w:t></w:r>" if text else ""
        return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{run}</w:p></w:tc>"

    rows = []
    for r in range(len(grid)):
        out, c = [], 0
        while c < width:
            cell, start = placed[(r, c)]
            if (r, c - 1) in placed and placed[(r, c - 1)][0] is cell and c > 0:
                c += 1  # covered by the gridSpan written at the cell's first column
                continue
            merge = ("restart" if start else "continue") if cell.rowspan > 1 else None
            out.append(tc(cell.text if start else "", cell.colspan, merge))
            c += cell.colspan
        rows.append("<w:tr>" + "".join(out) + "</w:tr>")
        if repeat and r == 11:
            for header in repeat:
                rows.append("<w:tr>" + "".join(tc(t or "", 1, None) for t in header) + "</w:tr>")
    grid_cols = "<w:gridCol w:w='800'/>" * width
    xml = (
        f"<w:tbl xmlns:w='{ns}'><w:tblPr><w:tblStyle w:val='TableGrid'/>"
        f"<w:tblW w:w='0' w:type='auto'/></w:tblPr><w:tblGrid>{grid_cols}</w:tblGrid>"
        + "".join(rows)
        + "</w:tbl>"
    )
    return parse_xml(xml)


def to_text(v: Variant, style: str = "tabs") -> str:
    """As text tools extract it: ``tabs`` (a PDF tool: a row per line, TABs between
    cells), ``spaces`` (a PDF tool: runs of spaces, blank cells gone), ``word``
    (Word's export: one cell per line)."""
    out: list[str] = []
    for kind, content in blocks(v):
        if kind != "table":
            out += [str(content), ""] if style == "word" else [str(content)]
            continue
        _, grid, header_rows = content  # type: ignore[misc]
        full = expand(grid)
        if v.page_break and header_rows:
            full = [*full[:12], ["__PAGE__"], *full[:header_rows], *full[12:]]
        for cells in full:
            if cells == ["__PAGE__"]:
                out.append("— 3 —")
            elif style == "tabs":
                out.append("\t".join(c or "" for c in cells))
            elif style == "spaces":
                out.append("    ".join(c for c in cells if c))
            else:
                out += ["\t" + c for c in cells if c is not None] + [""]
    return "\n".join(out) + "\n"


FORMATS = ("txt", "tabs", "spaces", "html", "docx", "pdf")


def render(v: Variant, fmt: str) -> tuple[bytes, str]:
    """The variant as a file of ``fmt`` and the name it would have."""
    name = v.expected["title"]
    if fmt in ("txt", "word"):
        return to_text(v, "word").encode(), f"{name}.txt"
    if fmt in ("tabs", "spaces"):
        return to_text(v, fmt).encode(), f"{name}.txt"
    if fmt == "html":
        return to_html(v).encode(), f"{name}.html"
    if fmt == "docx":
        return to_docx(v), f"{name}.docx"
    return to_pdf(v), f"{name}.pdf"


# --- the variants ----------------------------------------------------------------------------


def _base(seed: dict) -> dict:
    return copy.deepcopy({k: seed[k] for k in ("agency", "year", "title", *schema.TABLES)})


def variants(seed: dict) -> list[Variant]:
    """Every variant of the issue and of SPEC §6, each on a copy of ``seed``."""
    out: list[Variant] = []

    def add(name: str, **kwargs) -> Variant:
        variant = Variant(name, kwargs.pop("expected", _base(seed)), **kwargs)
        out.append(variant)
        return variant

    no_rules = _base(seed)
    no_rules["active_disclosure"]["rules"] = {"issued": None, "repealed": None, "in_force": None}
    add("no_rules_row", expected=no_rules, drop_rows={"rules"})

    h = list(HEADINGS)
    renumbered = ["一、总体情况", "一、主动公开政府信息情况", "二、收到和处理政府信息公开申请情况",
                  "三、政府信息公开行政复议、行政诉讼情况", "四、存在的主要问题及改进情况",
                  "五、其他需要报告的事项"]  # fmt: skip
    add("renumbered", headings=renumbered, renumbered=True)
    add("missing_five", headings=[*h[:4], None, h[5]])
    add("six_with_attachment", headings=[*h[:5], "六、需要说明的其他事项与附表"])
    add("five_rectification", headings=[*h[:4], "五、存在的主要问题及整改措施", h[5]])
    add("four_with_yu", headings=[*h[:3], "四、政府信息公开行政复议与行政诉讼情况", *h[4:]])
    add("four_typo", headings=[*h[:3], "四、政府信息公开行政法复议、行政诉讼情况", *h[4:]])
    add("halfwidth_subheadings", halfwidth=True)
    agency, year = seed["agency"], seed["year"]
    add("title_work_report", title=f"{agency}{year}年度政府信息公开工作报告")
    add("title_with_space", title=f"{agency} {year}年政府信息公开工作年度报告")
    add("title_year_first", title=f"{year}年度{agency}政府信息公开工作年度报告")
    noted = _base(seed)
    add(
        "notes_in_cells",
        expected=noted,
        texts={
            ("active_disclosure", "normative_documents", "issued"): _note(
                noted, "issued", "其中修订3件"
            ),
            ("active_disclosure", "normative_documents", "in_force"): _note(
                noted, "in_force", "含自然失效29件"
            ),
        },
    )
    large = _base(seed)
    large["active_disclosure"].update(licensing=517645, penalty=693957, fees_10k_yuan="12.345678")
    add("large_counts_and_fee", expected=large)
    fee = _base(seed)
    fee["active_disclosure"]["fees_10k_yuan"] = "0.125"
    add("fee_three_decimals", expected=fee)
    add("note_after_table", note_after_review="注：行政复议、行政诉讼数量含上年度结转数量。")
    add("page_break_in_matrix", page_break=True)
    return out


def _note(doc: dict, col: str, note: str) -> str:
    return f"{doc['active_disclosure']['normative_documents'][col]}（{note}）"


def format_2019(seed: dict) -> Variant:
    return Variant("format_2019", _base(seed), format_2019=True)
