"""Turning a published report file (plain text, Markdown or HTML) into lines.

Published reports reach us as text extracted from Word (one table cell per line, each
starting with a TAB), from PDF tools (one table row per line, cells separated by TABs),
as Markdown (``| a | b |`` tables, ``#`` headings) or as HTML (``<table>``). Every kind
becomes the same list of ``Line`` objects: table rows as TAB-separated text marked
``table=True``, everything else as plain text lines, so that one parser reads them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from reports.spec.numbers import NumberError


class SourceError(NumberError):
    """The file cannot be read as a published report; ``str()`` is the Chinese reason."""


@dataclass(frozen=True)
class Line:
    text: str
    table: bool = False


_MD_RULE = re.compile(r"^\s*:?-{2,}:?\s*$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s*")
_EMPHASIS = re.compile(r"\*\*|__")
# Word's field codes and bookmarks that survive a text export.
_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]")


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError("无法识别文件的文字编码（应为UTF-8或GBK）")


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _clean_text(text: str) -> str:
    text = _BR.sub("", _ARTEFACTS.sub("", text))
    text = _MD_HEADING.sub("", text)
    return _EMPHASIS.sub("", text)


def text_lines(text: str) -> list[Line]:
    """Plain text or Markdown: a line holding a TAB or a ``|`` table row is a table line."""
    lines: list[Line] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(_MD_RULE.match(c) or not c for c in cells):
                continue
            cells = [_clean_text(c) for c in cells]
            lines.append(Line(_join_cells(cells), table=True))
        elif "\t" in raw:
            lines.append(Line(_ARTEFACTS.sub("", raw.rstrip("\n")), table=True))
        else:
            lines.append(Line(_clean_text(raw).strip()))
    return lines


def _join_cells(cells: list[str]) -> str:
    # A one-cell row is written like Word's export (a leading TAB) so that it stays a
    # table line and its single cell is read as such.
    return "\t" + cells[0] if len(cells) == 1 else "\t".join(cells)


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "br"}


class _HTMLLines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.text: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.colspan = 1
        self.depth = 0  # nested tables are read as text of the outer cell
        self.skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag == "table":
            self.depth += 1
            if self.depth == 1:
                self._flush()
        elif tag == "tr" and self.depth == 1:
            self.row = []
        elif tag in ("td", "th") and self.depth == 1 and self.row is not None:
            self.cell = []
            span = dict(attrs).get("colspan") or "1"
            self.colspan = int(span) if span.isdigit() else 1
        elif tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table":
            self.depth = max(0, self.depth - 1)
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(_clean_text(" ".join("".join(self.cell).split())))
            self.row.extend([""] * (min(self.colspan, 50) - 1))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.depth == 1:
            if any(c.strip() for c in self.row):
                self.lines.append(Line(_join_cells(self.row), table=True))
            self.row = None
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.depth == 0:
            self.text.append(data)

    def _break(self) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        self._flush()

    def _flush(self) -> None:
        text = "".join(self.text)
        self.text = []
        for part in text.split("\n"):
            part = _clean_text(part).strip()
            if part:
                self.lines.append(Line(part))
        self.lines.append(Line(""))

    def close(self) -> None:
        super().close()
        self._flush()


def html_lines(text: str) -> list[Line]:
    parser = _HTMLLines()
    parser.feed(text)
    parser.close()
    return parser.lines


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<table" in text.lower() or "<body" in head or "<!doctype" in head


def read_lines(data: bytes, name: str = "") -> list[Line]:
    text = decode(data)
    if "\x00" in text:
        raise SourceError("文件含有二进制内容，不是文本格式的年报")
    lower = name.lower()
    if lower.endswith((".html", ".htm")) or looks_like_html(text):
        return html_lines(text)
    return text_lines(text)
