"""The cells of a published table, in reading order, whatever the file was.

Every source (``source``) gives lines; the lines of a table region become *tokens*:
labels, values, blank marks and empty cells, each remembering the line it came from and,
where the source knows its rows (PDF rows, Word, HTML and PDF tables), its row. A row's
values are then read by their position in the row; where the source has no rows (text
copied out of Word, one cell per line) they are read after their label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from reports.io.published.source import Line

NUMERALS = "一二三四五六七八九十"
BLANK_MARKS = {"/", "\\", "-", "—", "——", "–", "无", "空", "／"}

PAGE_NUMBER = re.compile(
    r"^(PAGE|第?\s*\d{1,3}\s*页?|[—\-–－]+\s*\d{1,3}\s*[—\-–－]+|\d{1,3}\s*/\s*\d{1,3}"
    r"|第\s*\d{1,3}\s*页\s*[,，]?\s*共\s*\d{1,3}\s*页)$"
)
# A number as published, possibly wrong (a sign, a decimal in a count): the codec judges
# it with ``parse_cell`` and names the cell, so that "-5" refuses the file instead of
# being read as text and the row's values shifting.
_NUMBERISH = re.compile(r"^[-−－+]?\d[\d,，.．]*$")
_UNIT = re.compile(r"(万元|元|件|个|条|次|项|人次)$")
# 22（其中修订16件）, 55(含自然失效29件): the number is the cell's value, the rest a note.
_WITH_NOTE = re.compile(
    r"^([-−－+]?\d[\d,，.．]*)\s*(万元|件|个|条|次|项)?\s*([(（\[【].*[)）\]】])$"
)
_NUMBERING = re.compile(r"^(\([" + NUMERALS + r"]+\)|[" + NUMERALS + r"]+[、.]|\d+[.、)]|\(\d+\))")


def norm(text: str) -> str:
    """Text for comparing labels: NFKC, no spaces, no quotes, ASCII brackets."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s\u3000\u00a0\u200b\ufeff]+", "", text)
    text = re.sub(r"[“”\"'‘’]", "", text)
    text = text.replace("．", ".").replace("【", "(").replace("】", ")")
    text = re.sub(r"^(\d+)、", r"\1.", text)
    return text.rstrip("。:;.")


def core(text: str) -> str:
    """The label without its numbering: (一)予以公开 → 予以公开, 1.属于… → 属于…"""
    return _NUMBERING.sub("", norm(text), count=1)


@dataclass
class Token:
    text: str
    kind: str  # "value", "blank" (an explicit / or -), "empty", "span" (merged), "text"
    line: int = -1  # index of the line in the region
    row: int | None = None  # the same for the cells of one row, where the source has rows
    note: str = ""  # what a value cell says besides its number

    @property
    def norm(self) -> str:
        return norm(self.text)


def classify(cell: str) -> Token:
    s = norm(cell)
    if s == "":
        return Token(cell, "empty")
    if s in BLANK_MARKS:
        return Token(cell, "blank")
    bare = _UNIT.sub("", s)
    if _NUMBERISH.match(bare):
        return Token(bare, "value")
    original = cell.strip()
    noted = _WITH_NOTE.match(unicodedata.normalize("NFKC", original))
    if noted:
        # The note as published (full-width brackets and all), without its brackets.
        at = min(original.find(b) for b in "(（[【" if b in original)
        return Token(norm(noted.group(1)), "value", note=original[at + 1 : -1].strip())
    return Token(cell.strip(), "text")


# Runs of whitespace between the cells of a PDF row; none inside brackets.
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")


def split_spaced_row(text: str) -> list[str] | None:
    """A line of PDF text whose cells are separated by spaces, e.g.
    ``一、本年新收政府信息公开申请数量  36  16  0  0  0  0  52``: the label and the values
    that end the line, or None when the line does not end with a value."""
    protected = _BRACKETED.sub(lambda m: m.group(0).replace(" ", "\x01"), text.strip())
    parts = [p.replace("\x01", " ") for p in re.split(r"[\s\u3000\u00a0]+", protected) if p]
    values: list[str] = []
    while parts and classify(parts[-1]).kind in ("value", "blank"):
        values.insert(0, parts.pop())
    if not values or (len(values) == 1 and parts and len(norm(" ".join(parts))) > 40):
        return None
    label = " ".join(parts)
    # "1. 属于国家秘密 0 …": the numbering is part of the label, not a value.
    if label == "" and len(values) >= 2 and re.match(r"^\d+[.、]$", values[0]):
        return None
    return ([label] if label else []) + values


def tokenise(lines: list[Line]) -> list[Token]:
    """Cells of the table lines, in reading order. A plain line between table lines
    continues the text cell before it (header words broken across lines, 商业\\n企业);
    in text without any TAB (copied from a web page) every line is a cell."""
    tokens: list[Token] = []
    has_table = any(line.table for line in lines)
    for i, line in enumerate(lines):
        if line.cells is not None:
            for cell in line.cells:
                token = Token("", "span") if cell is None else classify(cell)
                token.line, token.row = i, i
                tokens.append(token)
            continue
        if line.table:  # text out of Word: one cell per line
            text = line.text[1:] if line.text.startswith("\t") else line.text
            for cell in text.split("\t"):
                token = classify(cell)
                token.line = i
                tokens.append(token)
            continue
        text = line.text.strip()
        if not text or (PAGE_NUMBER.match(text) and classify(text).kind == "text"):
            continue
        spaced = split_spaced_row(text) if re.search(r"\S[\s\u3000]+\S", text) else None
        if spaced is not None:
            for cell in spaced:
                token = classify(cell)
                token.line, token.row = i, i
                tokens.append(token)
            continue
        token = classify(text)
        token.line = i
        if token.kind != "text":
            # Among TAB-marked cells a bare number is a page number at a page break;
            # in text without TABs (copied from a web page) every line is a cell.
            if not has_table:
                tokens.append(token)
        elif has_table and tokens and tokens[-1].kind == "text" and tokens[-1].row is None:
            tokens[-1] = Token(tokens[-1].text + text, "text", tokens[-1].line)
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
        if c.startswith(wcore) or c.endswith(wcore):
            return True
        if len(c) >= 6 and wcore.startswith(c):
            return True
    return False


@dataclass
class CellRead:
    """What one cell of the source said: ``value`` (the text of its number, for the
    codec to parse) or None, and how sure the reading is."""

    value: str | None
    source: str = ""  # the cell as published
    note: str = ""  # a note in the cell, or why the reading is in doubt
    doubtful: bool = False
    missing: bool = False  # the source has no such row or cell at all


def _read(token: Token, doubtful: bool = False) -> CellRead:
    value = token.text if token.kind == "value" else None
    source = token.text if token.kind != "empty" else ""
    if token.note:
        source += f"（{token.note}）"
    return CellRead(value, source, token.note, doubtful)


def _align(segment: list[Token], count: int) -> list[CellRead]:
    """The cells of one row after its label, to ``count`` columns by position."""
    cells = list(segment)
    exact = len(cells) == count
    while len(cells) > count and cells[-1].kind == "empty":
        cells.pop()
    while len(cells) > count and cells[0].kind == "empty":
        cells.pop(0)
    filled = [t for t in segment if t.kind != "empty"]
    if len(filled) == count:
        return [_read(t) for t in filled]
    if len(cells) == count:
        # Blank cells whose place the row shows (TABs around them) but the merged
        # cells of the layout might have moved: sure only when nothing was dropped.
        return [_read(t, doubtful=not exact) for t in cells]
    if len(cells) > count:
        why = f"原文该行有{len(filled)}个数，多于{count}栏，无法确定对应关系，未读取"
        return [CellRead(None, " ".join(t.text for t in filled), why, True)] * count
    missing = count - len(cells)
    why = f"原文该行只有{len(cells)}个数，按右对齐读取，请核对"
    reads = [CellRead(None, "", why, True, missing=True) for _ in range(missing)]
    return reads + [CellRead(r.value, r.source, r.note or why, True) for r in map(_read, cells)]


def row_values(tokens: list[Token], start: int, count: int, row: int) -> list[CellRead] | None:
    """The values of ``row`` from ``tokens[start]`` on, by position; None when the row
    holds no value (the values are on the lines after the label)."""
    segment: list[Token] = []
    for token in tokens[start:]:
        if token.row != row or token.kind == "text":
            break
        if token.kind != "span":
            segment.append(token)
    if not any(t.kind in ("value", "blank") for t in segment):
        return None
    return _align(segment, count)


def stream_values(tokens: list[Token], start: int, count: int) -> list[CellRead]:
    """The ``count`` values after ``tokens[start]`` up to the next text cell, for
    sources without rows.

    Cells left out by merged cells show up as extra empty cells; when exactly
    ``count`` cells are filled they are the values. When fewer are filled, the blank
    ones are read right-aligned: reports leave the leading cells blank (only the 总计
    column filled, or the whole 行政复议 block blank).
    """
    segment: list[Token] = []
    for token in tokens[start:]:
        if token.kind == "text":
            break
        if token.kind != "span":
            segment.append(token)
    filled = [t for t in segment if t.kind != "empty"]
    if len(filled) >= count:
        extra = len(filled) > count
        why = (
            f"原文此处有{len(filled)}个数，多于{count}栏，已取前{count}个，请核对" if extra else ""
        )
        return [
            CellRead(r.value, r.source, r.note or why, extra) for r in map(_read, filled[:count])
        ]
    while segment and segment[-1].kind == "empty":
        segment.pop()
    chosen = segment[-count:] if segment else []
    pad = [Token("", "empty")] * (count - len(chosen))
    return [_read(t) for t in pad + chosen]
