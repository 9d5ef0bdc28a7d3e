"""Reading a published annual report into the interchange format.

The lines of any source (``source``) are read in four steps: the title gives the agency
and the year; the three tables are found by their content, wherever they stand and
however their sections are numbered; the six sections by their headings, whose
numbering and wording vary from agency to agency (a heading that is not the exact one
is kept, so that R6 reports it, and a missing one is ``None``); and the narrative is
cut between them. Only what cannot be a report of the 2021 template is refused: a
report in the obsolete 2019 format, a text without title or without the tables.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from reports.io.published import html, pdf, word
from reports.io.published.narrative import (
    DATE,
    general_subsections,
    is_chrome,
    note_text,
    paragraphs,
    signature_lines,
)
from reports.io.published.source import (
    Line,
    SourceError,
    decode,
    looks_like_html,
    published_kind,
    text_lines,
)
from reports.io.published.tables import Address, Tables
from reports.io.published.tokens import NUMERALS, CellRead, norm, tokenise
from reports.rules import Finding
from reports.spec import schema

# Section headings as real reports write them, besides the exact heading.
HEADING_ALIASES: dict[str, tuple[str, ...]] = {
    "general": ("总体情况", "概述", "基本情况", "总体工作情况", "工作概述"),
    "active_disclosure": ("主动公开政府信息情况", "主动公开政府信息"),
    "applications": (
        "收到和处理政府信息公开申请情况",
        "收到和处理政府信息公开申请",
        "依申请公开政府信息情况",
    ),
    "review_litigation": (
        "政府信息公开行政复议、行政诉讼情况",
        "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
        "政府信息公开行政复议和行政诉讼情况",
        "政府信息公开行政复议与行政诉讼情况",
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "problems": (
        "存在的主要问题及改进情况",
        "存在问题及改进情况",
        "存在的主要问题和改进措施",
        "存在的主要问题及改进措施",
        "存在的主要问题和改进情况",
        "存在的主要问题及整改措施",
        "存在的主要问题及整改情况",
        "存在的问题及改进措施",
    ),
    "other_matters": (
        "其他需要报告的事项",
        "需要说明的其他事项",
        "需要说明的其他事项与附表",
        "其他需要报告的事项与附表",
        "其他需要说明的事项",
    ),
}
# The 2019 trial format's columns in section 二 (国办公开办函〔2019〕60号).
FORMAT_2019_HEADERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量")
TABLE_KEYS = ("active_disclosure", "applications", "review_litigation")

_TITLE = re.compile(
    r"^(?:(?P<head>\d{4})年度?)?(?P<agency>.*?)(?:关于)?(?:(?P<year>\d{4})年度?)?(?:的)?"
    r"政府信息公开(?:工作)?(?:的)?(?:年度?)?(?:工作)?报告$"
)
_NUMBERED = re.compile(r"^([" + NUMERALS + r"]+)[、.,，]|^(\d{1,2})[.、](?!\d)")
_SUBHEADING = re.compile(r"^[(（][" + NUMERALS + r"]+[)）]")
# Lines that start the tables when their headings are missing, by what they hold.
_T2_MARKERS = ("第二十条第", "信息内容")
_T3_MARKERS = ("(本列数据的勾稽关系为", "本列数据的勾稽关系", "一、本年新收政府信息公开申请")
_T4_MARKERS = ("行政复议",)


class TextImportError(SourceError):
    """The published text cannot be read; ``str()`` says why, in Chinese."""


@dataclass
class TextImport:
    raw: dict  # the interchange object, for imports.import_document
    notes: list[Finding] = field(default_factory=list)  # what the reader flagged
    reads: dict[Address, CellRead] = field(default_factory=dict)  # every cell as read


# --- the title ---------------------------------------------------------------------


def _title_match(joined: str) -> tuple[str, int] | None:
    m = _TITLE.match(joined)
    if not m:
        return None
    year = m.group("year") or m.group("head")
    if not year or (m.group("year") and m.group("head")):
        return None
    agency = m.group("agency").strip()
    if len(agency) < 2 or re.search(r"[，。；：:]", agency):
        return None
    return agency, int(year)


def _title(lines: list[Line]) -> tuple[str, str, int, int]:
    """Title, agency, year and the index of the title's last line. A title may be broken
    over up to three lines; web pages put menus, a date and a source before it, and may
    name the report more than once (the page title, then the heading): the last one
    before the report's first section is the report's."""
    texts = [
        (i, line.text)
        for i, line in enumerate(lines)
        if line.text.strip() and not line.table and line.cells is None
    ]
    found: list[tuple[str, str, int, int]] = []
    for k in range(min(200, len(texts))):
        parts: list[str] = []
        for i, text in texts[k : k + 3]:
            parts.append(re.sub(r"[\s\u3000\u00a0]+", "", text))
            joined = unicodedata.normalize("NFKC", "".join(parts))
            joined = re.sub(r"^[#*\s]+|[*\s]+$", "", joined)
            if len(joined) > 80:
                break
            match = _title_match(joined)
            if match:
                found.append(("".join(parts).strip("#* "), match[0], match[1], i))
                break
        if found and _starts_body(texts[k][1]):
            break
    body = next((i for i, text in texts if _starts_body(text)), len(lines))
    if not found:
        named = _title_in_opening([(i, text) for i, text in texts if i < body][:5])
        if named is not None:
            return named
        raise TextImportError(
            "未找到标题（应为“某机关某年政府信息公开工作年度报告”），"
            "无法识别为政府信息公开工作年度报告。"
        )
    before = [f for f in found if f[3] < body]
    return (before or found)[-1]


# "…特向社会公布鄞州区投资促进中心 2023 年度政府信息公开工作年度报告。": a text copied
# without the page's heading still names the report in its opening sentence.
_TITLE_IN_SENTENCE = re.compile(
    r"(?:公布|编制|发布|现将)(?P<title>[^，。,；;：:《》“”()]{4,60}?政府信息公开(?:工作)?"
    r"(?:的)?(?:年度?)?(?:工作)?报告)"
)


def _title_in_opening(texts: list[tuple[int, str]]) -> tuple[str, str, int, int] | None:
    """Title, agency and year named in one of the opening paragraphs; the paragraph
    stays in the body (the index returned is the line before it)."""
    for i, text in texts:
        joined = unicodedata.normalize("NFKC", re.sub(r"[\s\u3000\u00a0]+", "", text))
        for m in _TITLE_IN_SENTENCE.finditer(joined):
            match = _title_match(m.group("title"))
            if match:
                return m.group("title"), match[0], match[1], i - 1
    return None


def _starts_body(text: str) -> bool:
    n = norm(text)
    return n.startswith(("一、总体情况", "一.总体情况")) or n == "总体情况"


# --- headings ------------------------------------------------------------------------


def heading_score(line: Line, key: str) -> float:
    """How surely ``line`` is the heading of section ``key``: 1 for the exact words,
    less for words around them or a typo, 0 when it is not."""
    if line.table or line.cells is not None or not line.text.strip() or line.link:
        return 0.0
    n = norm(line.text)
    n = re.sub(r"^第([" + NUMERALS + r"]+)部分", r"\1、", n)
    if len(n) > 45 or _SUBHEADING.match(n) or "。" in n[:-1]:
        return 0.0
    m = _NUMBERED.match(n)
    rest = n[m.end() :] if m else n
    rest = re.sub(r"^[、.]", "", rest).rstrip(":：")
    best = 0.0
    for alias in HEADING_ALIASES[key]:
        a = norm(alias)
        if rest == a:
            best = max(best, 1.0)
        elif (m or line.heading) and (rest.endswith(a) or rest.startswith(a)):
            best = max(best, 0.9)
        elif m or line.heading:
            ratio = difflib.SequenceMatcher(None, rest, a).ratio()
            if ratio >= 0.75:
                best = max(best, 0.8 * ratio)
    if best and m and m.group(1) and m.group(1) != schema.SECTION_BY_KEY[key].numeral:
        best -= 0.01  # the right wording numbered otherwise: still the heading
    return best


def _best_heading(lines: list[Line], key: str, lo: int, hi: int) -> int | None:
    """The line in [lo, hi) most surely the heading of ``key``; the last of equals."""
    best, at = 0.0, None
    for i in range(lo, min(hi, len(lines))):
        score = heading_score(lines[i], key)
        if score and score >= best:
            best, at = score, i
    return at


def _cells_of(line: Line) -> list[str]:
    if line.cells is not None:
        return [norm(c) for c in line.cells if c]
    return [norm(c) for c in line.text.split("\t") if c.strip()]


def _anchor(lines: list[Line], markers: tuple[str, ...], lo: int, short: bool = False) -> int:
    """The first line from ``lo`` one of whose cells starts with a marker."""
    for i in range(lo, len(lines)):
        for cell in _cells_of(lines[i]):
            if cell.startswith(tuple(norm(m) for m in markers)):
                is_cell = lines[i].table or lines[i].cells is not None
                if not short or is_cell or len(cell) <= 30:
                    return i
    return -1


@dataclass
class Layout:
    """Where each section starts (its heading, else its table) and the heading lines."""

    starts: dict[str, int]
    headings: dict[str, int | None]

    def region(self, key: str, lines: list[Line]) -> list[Line]:
        start = self.starts[key]
        if start < 0:
            return []
        later = [s for s in self.starts.values() if s > start]
        end = min(later, default=len(lines))
        first = start + 1 if self.headings.get(key) == start else start
        return lines[first:end]


def _layout(lines: list[Line], body: int) -> Layout:
    t3 = _anchor(lines, _T3_MARKERS, body)
    if t3 < 0:
        t3 = _anchor(lines, ("申请人情况",), body)
    if t3 < 0:
        raise TextImportError(
            "未找到第三部分“收到和处理政府信息公开申请情况”的表格"
            "（应有“一、本年新收政府信息公开申请数量”等25行），无法识别为年度报告。"
        )
    t2 = _anchor(lines, _T2_MARKERS, body)
    if t2 < 0 or t2 > t3:
        t2 = _anchor(lines, ("规章", "行政规范性文件", "规范性文件"), body)
    if t2 < 0 or t2 > t3:
        raise TextImportError(
            "未找到第二部分“主动公开政府信息情况”的表格（第二十条第（一）项等），"
            "无法识别为年度报告。"
        )
    carried = _anchor(lines, ("四、结转下年度继续办理", "结转下年度继续办理"), t3)
    t4 = _anchor(lines, _T4_MARKERS, max(carried, t3) + 1, short=True)
    if t4 < 0:
        raise TextImportError(
            "未找到第四部分“政府信息公开行政复议、行政诉讼情况”的表格，无法识别为年度报告。"
        )
    headings: dict[str, int | None] = {}
    general = _best_heading(lines, "general", body, t2)
    headings["general"] = general
    lo = (general + 1) if general is not None else body
    for key, anchor in zip(TABLE_KEYS, (t2, t3, t4), strict=True):
        headings[key] = _best_heading(lines, key, lo, anchor + 1)
        lo = anchor + 1
    taken = {h for h in headings.values() if h is not None}
    for key in ("problems", "other_matters"):
        after = _best_heading(lines, key, t4 + 1, len(lines))
        at = after if after is not None else _best_heading(lines, key, body, t2)
        headings[key] = at if at not in taken else None
        if at is not None:
            taken.add(at)
    starts = {}
    for key, anchor in zip(TABLE_KEYS, (t2, t3, t4), strict=True):
        h = headings[key]
        starts[key] = h if h is not None else anchor
    for key in ("general", "problems", "other_matters"):
        h = headings[key]
        starts[key] = h if h is not None else -1
    return Layout(starts, headings)


# --- the document --------------------------------------------------------------------


def _refuse_2019_format(lines: list[Line]) -> None:
    """Checked first, on the whole text: a 2019 report may fail other checks too, and
    its reader must learn the real reason."""
    text = norm("".join(line.text for line in lines))
    if sum(norm(h) in text for h in FORMAT_2019_HEADERS) >= 2:
        raise TextImportError(
            "这是2019年试行格式（国办公开办函〔2019〕60号）的年度报告：第二部分的栏目为“"
            + "、".join(FORMAT_2019_HEADERS)
            + "”，与2021年起施行的格式（国办公开办函〔2021〕30号）不同，无法按新格式导入。"
        )


def _table_region(region: list[Line], tables: Tables, key: str) -> tuple[list[Line], list[Line]]:
    """The lines before and after the table in its section's region."""
    first, last = tables.extent.get(key, (0, len(region) - 1))
    for i, line in enumerate(region[: first + 1]):
        if line.table or line.cells is not None:
            first = min(first, i)
            break
    return region[:first], region[last + 1 :]


def parse_text(lines: list[Line]) -> TextImport:
    _refuse_2019_format(lines)
    title, agency, year, title_end = _title(lines)
    lines = [*lines[: title_end + 1], *_drop_chrome(lines[title_end + 1 :])]
    body = title_end + 1
    layout = _layout(lines, body)
    regions = {s.key: layout.region(s.key, lines) for s in schema.SECTIONS}

    tables = Tables()
    try:
        tables.active(tokenise(regions["active_disclosure"]))
        tables.applications(tokenise(regions["applications"]))
        tables.review(tokenise(regions["review_litigation"]))
    except SourceError as exc:
        raise TextImportError(str(exc)) from None

    # Each narrative bucket as paragraphs; the table notes as the lines around them.
    texts: dict[str, list[str]] = {}
    after_tables: list[Line] = []
    for key in TABLE_KEYS:
        before, after = _table_region(regions[key], tables, key)
        if key == "review_litigation" and layout.headings["problems"] is None:
            # Without a 五 heading, what follows the last table is section 五 (but for
            # a 注 line under the table).
            notes_after = []
            while after and (not after[0].text.strip() or norm(after[0].text).startswith("注")):
                notes_after.append(after.pop(0))
            after_tables, after = after, notes_after
        texts[key] = note_text(before, after)

    first_start = min((s for s in layout.starts.values() if s >= 0), default=len(lines))
    opening_lines = lines[body:first_start]
    general_lines = regions["general"]
    if layout.headings["general"] is None:
        # No 一 heading: the opening runs to the first numbered sub-heading.
        cut = next(
            (i for i, line in enumerate(opening_lines) if _numbered_line(line)),
            min(1, len(opening_lines)),
        )
        opening_lines, general_lines = opening_lines[:cut], opening_lines[cut:]
    texts["general"] = paragraphs(general_lines)
    texts["problems"] = paragraphs(regions["problems"] or after_tables)
    texts["other_matters"] = paragraphs(regions["other_matters"])

    # The closing block ends whatever section comes last (六, or the last table where
    # the tables are appended after the narrative).
    last = max(layout.starts, key=lambda k: layout.starts[k])
    if not regions["problems"] and after_tables and last == "review_litigation":
        last = "problems"
    texts[last], signature = signature_lines(texts[last])

    sections = {
        "opening": "\n".join(paragraphs(opening_lines)),
        "general": general_subsections(texts["general"]),
        **{schema.NOTE_KEYS[k]: "\n".join(texts[k]) for k in TABLE_KEYS},
        "problems": "\n".join(texts["problems"]),
        "other_matters": "\n".join(texts["other_matters"]),
    }
    headings = [
        lines[h].text.strip() if (h := layout.headings[s.key]) is not None else None
        for s in schema.SECTIONS
    ]
    raw = {
        "agency": agency,
        "year": year,
        "title": title,
        **tables.figures(),
        "sections": sections,
        "signature": signature,
        "headings": headings,
    }
    return TextImport(raw, reader_notes(tables), tables.reads)


def _numbered_line(line: Line) -> bool:
    n = unicodedata.normalize("NFKC", line.text.strip())
    return bool(re.match(r"^([" + NUMERALS + r"]+、|[(（][" + NUMERALS + r"]+[)）])", n))


def _drop_chrome(lines: list[Line]) -> list[Line]:
    """A web page's menus, links and footer around the report: lines that are only a
    link, and everything after the signed date once the footer begins."""
    kept = [line for line in lines if not line.link]
    for i, line in enumerate(kept):
        if DATE.match(norm(line.text)) and any(is_chrome(x.text) for x in kept[i + 1 : i + 4]):
            return kept[: i + 1]
    for i, line in enumerate(kept):
        if is_chrome(line.text) and i > len(kept) // 2:
            return kept[:i]
    return kept


def reader_notes(tables: Tables) -> list[Finding]:
    """What a person must check: rows missing from the source, blank cells, cells read
    with a note or in doubt."""
    notes: list[Finding] = []
    missing = set()
    for table, label in tables.missing_rows:
        cells = [
            c
            for c in schema.STORED_CELLS
            if c.table == table and c.label.rsplit(" · ", 1)[0].endswith(label)
        ]
        missing |= {c.address for c in cells}
        name = cells[0].label.rsplit(" · ", 1)[0] if cells else label
        notes.append(
            Finding(
                "导入",
                "warning",
                f"{name}：原文没有这一行，各栏已记为空白，请核对。",
                cells=tuple(c.address for c in cells),
            )
        )
    for c in schema.CELLS:
        read = tables.reads.get(c.address)
        if read is None or c.address in missing:
            continue
        if read.doubtful and (read.value is not None or not c.derived):
            notes.append(
                Finding("导入", "warning", f"{c.label}：{read.note}。", cells=(c.address,))
            )
        elif read.value is None and not c.derived:
            source = f"“{read.source}”" if read.source else "空白"
            notes.append(
                Finding(
                    "导入",
                    "warning",
                    f"{c.label}：原文为{source}，已记为空白，请核对。",
                    cells=(c.address,),
                )
            )
        elif read.note:
            notes.append(
                Finding(
                    "导入",
                    "info",
                    f"{c.label}：原文为“{read.source}”，读作{read.value}，"
                    f"附注“{read.note}”已记入导入记录。",
                    cells=(c.address,),
                )
            )
    return notes


def read_lines(data: bytes, name: str = "") -> list[Line]:
    """The lines of a published report file of any kind, judged by its content."""
    kind = published_kind(data, name)
    if kind == "pdf":
        return pdf.pdf_lines(data)
    if kind == "docx":
        return word.docx_lines(data)
    text = decode(data)
    if "\x00" in text:
        raise SourceError("文件含有二进制内容，不是文本格式的年报")
    if kind == "html" or looks_like_html(text):
        return html.html_lines(text)
    return text_lines(text)


def parse_published(data: bytes, name: str = "") -> TextImport:
    """Read a published report file; raises TextImportError with a Chinese reason."""
    try:
        lines = read_lines(data, name)
    except SourceError as exc:
        raise TextImportError(str(exc)) from None
    return parse_text(lines)
