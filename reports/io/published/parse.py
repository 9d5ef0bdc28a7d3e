"""Reading a published annual report (text, Markdown or HTML) into the interchange format.

The parser does not rebuild the tables' geometry, which differs between Word, PDF and
web exports. It finds the six section headings, then inside each table region finds
every row by its label (taken from ``schema``, with the aliases seen in real reports)
and reads the values that follow the label. Blank cells and ``/`` become ``None`` and
are flagged; totals are kept as published so that R1–R4 can report what is wrong in
the published figures. A report in the obsolete 2019 format is refused.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from reports.io.published.source import Line, SourceError, read_lines
from reports.rules import Finding
from reports.spec import figures as fig
from reports.spec import schema

NUMERALS = "一二三四五六七八九十"

# Section headings as real reports write them, besides the exact heading.
HEADING_ALIASES: dict[str, tuple[str, ...]] = {
    "general": ("总体情况", "概述"),
    "active_disclosure": ("主动公开政府信息情况", "主动公开政府信息"),
    "applications": ("收到和处理政府信息公开申请情况",),
    "review_litigation": (
        "政府信息公开行政复议、行政诉讼情况",
        "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
        "政府信息公开行政复议和行政诉讼情况",
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "problems": (
        "存在的主要问题及改进情况",
        "存在问题及改进情况",
        "存在的主要问题和改进措施",
        "存在的主要问题及改进措施",
        "存在的主要问题和改进情况",
    ),
    "other_matters": ("其他需要报告的事项",),
}

ROW_ALIASES: dict[str, tuple[str, ...]] = {
    "normative_documents": ("规范性文件",),
    "fees_10k_yuan": ("行政事业性收费",),
}
ACTIVE_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "issued": ("本年制发件数", "本年新制发件数"),
    "repealed": ("本年废止件数", "本年度止件数", "本年度废止件数"),
    "in_force": ("现行有效件数",),
}
# The 2019 trial format's columns in section 二 (国办公开办函〔2019〕60号).
FORMAT_2019_HEADERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量")
APPLICATION_LABELS = (
    tuple(r.label for r in schema.APPLICATION_ROWS)
    + tuple({r.group for r in schema.APPLICATION_ROWS if r.group})
    + (schema.RESULTS_BANNER,)
)
BLANK_MARKS = {"/", "\\", "-", "—", "——", "–", "无", "空"}

_TITLE_TAIL = re.compile(r"(\d{4})年度?政府信息公开(?:工作)?年度?报告$")
_TITLE_HEAD = re.compile(r"^(\d{4})年度?(.+?)政府信息公开(?:工作)?年度?报告$")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_PAGE = re.compile(r"^(PAGE|第?\s*\d{1,3}\s*页?|[—\-–]\s*\d{1,3}\s*[—\-–]|\d{1,3}\s*/\s*\d{1,3})$")
_NUMBER = re.compile(r"^\d[\d,]*(\.\d+)?$")
_UNIT = re.compile(r"(万元|件|个|条|次)$")
_NUMBERING = re.compile(r"^(\([" + NUMERALS + r"]+\)|[" + NUMERALS + r"]+[、.]|\d+[.、)]|\(\d+\))")
_SUBHEADING = re.compile(r"^[(（]([" + NUMERALS + r"]+)[)）]\s*")


class TextImportError(SourceError):
    """The published text cannot be read; ``str()`` says why, in Chinese."""


def norm(text: str) -> str:
    """Text for comparing labels: NFKC, no spaces, no quotes, ASCII brackets."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s\u3000\u00a0]+", "", text)
    text = re.sub(r"[“”\"'‘’]", "", text)
    text = text.replace("．", ".").replace("【", "(").replace("】", ")")
    text = re.sub(r"^(\d+)、", r"\1.", text)
    return text.rstrip("。:;.")


def core(text: str) -> str:
    """The label without its numbering: (一)予以公开 → 予以公开, 1.属于… → 属于…"""
    n = norm(text)
    return _NUMBERING.sub("", n, count=1)


# --- tokens ----------------------------------------------------------------------


@dataclass
class Token:
    text: str
    kind: str  # "value", "blank" (an explicit / or -), "empty", "text"

    @property
    def norm(self) -> str:
        return norm(self.text)


def classify(cell: str) -> Token:
    s = norm(cell)
    if s == "":
        return Token(cell, "empty")
    if s in BLANK_MARKS:
        return Token(cell, "blank")
    if _NUMBER.match(_UNIT.sub("", s)):
        return Token(_UNIT.sub("", s), "value")
    return Token(cell.strip(), "text")


def tokenise(lines: list[Line]) -> list[Token]:
    """Cells of the table lines, in reading order. A plain line between table lines
    continues the text cell before it (header words broken across lines, 商业\\n企业);
    in text without any TAB (copied from a web page) every line is a cell."""
    tokens: list[Token] = []
    has_table = any(line.table for line in lines)
    for line in lines:
        if line.table:
            text = line.text
            cells = (
                [text[1:]] if text.startswith("\t") and text.count("\t") == 1 else text.split("\t")
            )
            tokens.extend(classify(c) for c in cells)
        elif line.text.strip():
            token = classify(line.text)
            if token.kind != "text":
                # Among TAB-marked cells a bare number is a page number at a page break;
                # in text without TABs (copied from a web page) every line is a cell.
                if not has_table:
                    tokens.append(token)
            elif _PAGE.match(line.text.strip()):
                continue
            elif has_table and tokens and tokens[-1].kind == "text":
                tokens[-1] = Token(tokens[-1].text + line.text.strip(), "text")
            else:
                tokens.append(token)
    return tokens


def label_matches(token: Token, label: str, aliases: tuple[str, ...] = ()) -> bool:
    if token.kind != "text":
        return False
    full, c = token.norm, core(token.text)
    for want in (label, *aliases):
        wfull, wcore = norm(want), core(want)
        if full == wfull:
            return True
        if len(wcore) < 4:
            # 3.其他 and （七）总计 only with their numbering: 其他 and 总计 are also
            # column headers, repeated where a PDF table breaks across pages.
            continue
        if c == wcore:
            return True
        if len(wcore) >= 4 and (c.startswith(wcore) or c.endswith(wcore)):
            return True
        if len(c) >= 4 and wcore.startswith(c):
            return True
    return False


@dataclass
class CellRead:
    value: str | None
    flagged: bool  # blank or "/" in the source
    source: str = ""


def read_values(tokens: list[Token], start: int, count: int) -> list[CellRead]:
    """The ``count`` values after ``tokens[start]`` up to the next text cell.

    Cells left out by merged cells show up as extra empty cells; when exactly
    ``count`` cells are filled they are the values. When fewer are filled, the blank
    ones are read right-aligned: reports leave the leading cells blank (only the 总计
    column filled, or the whole 行政复议 block blank).
    """
    segment: list[Token] = []
    for token in tokens[start:]:
        if token.kind == "text":
            break
        segment.append(token)
    filled = [t for t in segment if t.kind != "empty"]
    if len(filled) >= count:
        chosen = filled[:count]
    else:
        while segment and segment[-1].kind == "empty":
            segment.pop()
        chosen = segment[-count:] if segment else []
        chosen = [Token("", "empty")] * (count - len(chosen)) + chosen
    return [
        CellRead(t.text if t.kind == "value" else None, t.kind != "value", norm(t.text))
        for t in chosen
    ]


# --- the document ----------------------------------------------------------------


@dataclass
class TextImport:
    raw: dict  # the interchange object, for services.import_document
    notes: list[Finding] = field(default_factory=list)  # what the parser flagged


def _is_heading(line: Line, key: str, numeral: str) -> bool:
    if line.table or not line.text or len(line.text) > 45:
        return False
    n = re.sub(r"^第([" + NUMERALS + r"]+)部分", r"\1、", norm(line.text))
    m = re.match(r"^([" + NUMERALS + r"]+)[、.,]", n)
    if m and m.group(1) != numeral:
        return False
    c = n[m.end() :] if m else n
    c = re.sub(r"^[、.]", "", c)
    for alias in HEADING_ALIASES[key]:
        a = norm(alias)
        if c == a:
            return True
        # Numbered headings with words around the core: 政府信息公开工作存在的主要问题….
        if m and (c.endswith(a) or c.startswith(a)):
            return True
        if m and difflib.SequenceMatcher(None, c, a).ratio() >= 0.75:
            return True
    return False


def _find_headings(lines: list[Line], start: int = 0) -> list[int]:
    positions: list[int] = []
    for s in schema.SECTIONS:
        found = next(
            (i for i in range(start, len(lines)) if _is_heading(lines[i], s.key, s.numeral)),
            None,
        )
        if found is None:
            raise TextImportError(f"未找到第{s.numeral}部分的标题“{s.heading}”，无法识别为年度报告")
        positions.append(found)
        start = found + 1
    return positions


def _title(lines: list[Line]) -> tuple[str, str, int, int]:
    """Title, agency, year and the index of the title's last line. A title may be broken
    over up to three lines, and web pages put a few lines (date, source) before it."""
    texts = [(i, line.text) for i, line in enumerate(lines) if line.text.strip() and not line.table]
    for k in range(min(20, len(texts))):
        parts: list[str] = []
        for i, text in texts[k : k + 3]:
            parts.append(re.sub(r"[\s\u3000]+", "", text))
            joined = "".join(parts)
            if len(joined) > 80:
                break
            head = _TITLE_HEAD.match(joined)
            if head:
                return joined, head.group(2), int(head.group(1)), i
            tail = _TITLE_TAIL.search(joined)
            if tail and tail.start() > 0:
                return joined, joined[: tail.start()], int(tail.group(1)), i
    raise TextImportError("未找到标题（应为“某机关某年政府信息公开工作年度报告”）")


def _paragraphs(lines: list[Line]) -> list[str]:
    return [line.text.strip() for line in lines if not line.table and line.text.strip()]


def _general(lines: list[Line]) -> list[dict]:
    subs: list[dict] = []
    current: dict | None = None
    for text in _paragraphs(lines):
        m = _SUBHEADING.match(unicodedata.normalize("NFKC", text))
        if m:
            heading, body = _split_subheading(text, m.group(1))
            current = {"heading": heading, "body": body}
            subs.append(current)
        elif current is None:
            current = {"heading": "", "body": text}
            subs.append(current)
        else:
            current["body"] = (current["body"] + "\n" + text).strip("\n")
    return subs


def _split_subheading(text: str, numeral: str) -> tuple[str, str]:
    rest = _SUBHEADING.sub("", unicodedata.normalize("NFKC", text), count=1)
    rest = text[len(text) - len(rest) :] if text.endswith(rest) else rest
    m = re.search(r"[。：:]", rest)
    if m and m.start() <= 30:
        title, body = rest[: m.start()], rest[m.end() :]
    elif len(rest) <= 30:
        title, body = rest, ""
    else:
        title, body = "", rest
    return f"（{numeral}）{title.strip()}", body.strip()


def _note(lines: list[Line]) -> str:
    """The paragraphs of a table section that are not part of the table."""
    table_rows = [i for i, line in enumerate(lines) if line.table]
    if not table_rows:
        return "\n".join(_paragraphs(lines))
    before = _paragraphs(lines[: table_rows[0]])
    after = [p for p in _paragraphs(lines[table_rows[-1] + 1 :]) if len(p) >= 10]
    return "\n".join(before + after)


def _signature(paras: list[str]) -> tuple[list[str], dict]:
    signature: dict = {"agency": "", "date": None}
    while paras and _PAGE.match(paras[-1]):
        paras = paras[:-1]
    if paras:
        m = _DATE.match(norm(paras[-1]))
        if m:
            year, month, day = (int(g) for g in m.groups())
            signature["date"] = f"{year:04d}-{month:02d}-{day:02d}"
            paras = paras[:-1]
            if paras and len(paras[-1]) <= 40 and not re.search(r"[。，；]", paras[-1]):
                signature["agency"] = paras[-1]
                paras = paras[:-1]
    return paras, signature


class _Tables:
    """Reads the three tables from their regions, collecting flags and errors."""

    def __init__(self) -> None:
        self.figures: dict = {t: {} for t in schema.TABLES}
        self.notes: list[Finding] = []

    def put(self, c: schema.Cell, read: CellRead) -> None:
        fig.put(self.figures, c, read.value)  # type: ignore[arg-type]  # the codec parses it
        if read.flagged:
            source = f"“{read.source}”" if read.source else "空白"
            self.notes.append(
                Finding(
                    "导入",
                    "warning",
                    f"{c.label}：原文为{source}，已记为空白，请核对。",
                    cells=(c.address,),
                )
            )

    def _find(self, tokens: list[Token], start: int, label: str, aliases=()) -> int | None:
        for i in range(start, len(tokens)):
            if label_matches(tokens[i], label, aliases):
                return i
        return None

    def _take(self, tokens, at, cells: list[schema.Cell], labels: tuple[str, ...] = ()) -> None:
        start = at + 1
        # A label wrapped by a PDF tool continues on the next line, before the values.
        while (
            start < len(tokens)
            and tokens[start].kind == "text"
            and not any(label_matches(tokens[start], label) for label in labels)
            and len(tokens[start].norm) <= 40
            and start - at <= 2
        ):
            start += 1
        reads = read_values(tokens, start, len(cells))
        for c, read in zip(cells, reads, strict=True):
            self.put(c, read)

    def active(self, tokens: list[Token]) -> None:
        order = self._active_columns(tokens)
        pos = 0
        for table in schema.ACTIVE_TABLES:
            for row_key, row_label in table.rows:
                at = self._find(tokens, pos, row_label, ROW_ALIASES.get(row_key, ()))
                if at is None:
                    raise TextImportError(f"第二部分未找到“{row_label}”一行")
                keys: list[str | None] = list(order) if len(table.value_headers) == 3 else [None]
                cells = [schema.cell("active_disclosure", row_key, k) for k in keys]
                self._take(tokens, at, cells)
                pos = at + 1

    def _active_columns(self, tokens: list[Token]) -> list[str]:
        """The order of 本年制发件数 / 本年废止件数 / 现行有效件数 as the header gives it."""
        found: dict[str, int] = {}
        for i, token in enumerate(tokens):
            for key, names in ACTIVE_HEADER_ALIASES.items():
                if key not in found and token.kind == "text" and token.norm in map(norm, names):
                    found[key] = i
        if len(found) == 3:
            return sorted(found, key=lambda key: found[key])
        return ["issued", "repealed", "in_force"]

    def applications(self, tokens: list[Token]) -> None:
        pos = 0
        cols = [c.key for c in schema.APPLICATION_COLUMNS]
        for row in schema.APPLICATION_ROWS:
            at = self._find(tokens, pos, row.label)
            if at is None:
                raise TextImportError(f"第三部分未找到“{row.label}”一行")
            cells = [schema.cell("applications", row.key, k) for k in cols]
            self._take(tokens, at, cells, APPLICATION_LABELS)
            pos = at + 1

    def review(self, tokens: list[Token]) -> None:
        header_words = ("总计", "审结", "维持", "纠正", "结果", "起诉")
        last_header = None
        for i, token in enumerate(tokens):
            if token.kind == "text" and any(w in token.norm for w in header_words):
                last_header = i
            elif token.kind in ("value", "blank") and last_header is not None:
                break
        if last_header is None:
            raise TextImportError("第四部分未找到行政复议、行政诉讼情况表")
        cells = [
            schema.cell("review_litigation", b.key, o.key)
            for b in schema.REVIEW_BLOCKS
            for o in schema.REVIEW_OUTCOMES
        ]
        self._take(tokens, last_header, cells)


def _refuse_2019_format(lines: list[Line]) -> None:
    """Checked first, on the whole text: a 2019 report may fail other checks too, and
    its reader must learn the real reason."""
    text = norm("".join(line.text for line in lines))
    if sum(h in text for h in FORMAT_2019_HEADERS) >= 2:
        raise TextImportError(
            "这是2019年试行格式（国办公开办函〔2019〕60号）的年度报告：第二部分的栏目为“"
            + "、".join(FORMAT_2019_HEADERS)
            + "”，与2021年起施行的格式（国办公开办函〔2021〕30号）不同，无法按新格式导入。"
        )


def parse_text(lines: list[Line]) -> TextImport:
    _refuse_2019_format(lines)
    title, agency, year, title_end = _title(lines)
    heads = _find_headings(lines, title_end + 1)
    ends = [*heads[1:], len(lines)]
    regions = {
        s.key: lines[h + 1 : e] for s, h, e in zip(schema.SECTIONS, heads, ends, strict=True)
    }
    opening_start = title_end + 1

    tables = _Tables()
    tables.active(tokenise(regions["active_disclosure"]))
    tables.applications(tokenise(regions["applications"]))
    tables.review(tokenise(regions["review_litigation"]))

    other, signature = _signature(_paragraphs(regions["other_matters"]))
    sections = {
        "opening": "\n".join(_paragraphs(lines[opening_start : heads[0]])),
        "general": _general(regions["general"]),
        **{schema.NOTE_KEYS[k]: _note(regions[k]) for k in schema.NOTE_KEYS},
        "problems": "\n".join(p for p in _paragraphs(regions["problems"]) if not _PAGE.match(p)),
        "other_matters": "\n".join(other),
    }
    raw = {
        "agency": agency,
        "year": year,
        "title": title,
        **tables.figures,
        "sections": sections,
        "signature": signature,
        "headings": [lines[h].text.strip() for h in heads],
    }
    return TextImport(raw, tables.notes)


def parse_published(data: bytes, name: str = "") -> TextImport:
    """Read a published report file; raises TextImportError with a Chinese reason."""
    try:
        lines = read_lines(data, name)
    except SourceError as exc:
        raise TextImportError(str(exc)) from None
    return parse_text(lines)
