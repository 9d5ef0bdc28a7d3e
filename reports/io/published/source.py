"""Turning a published report file into lines, whatever kind of file it is.

Published reports reach us as the Word file (.docx) or the PDF the agency put online,
as a web page saved from its portal, or as text extracted from either: from Word one
table cell per line, each starting with a TAB; from PDF tools one table row per line,
cells separated by TABs or by runs of spaces; Markdown with ``| a | b |`` tables. Every
kind becomes the same list of ``Line`` objects, so that one parser reads them all: a
table row knows its cells (``None`` where a merged cell continues), a paragraph
whether it was styled as a heading, and a line of a web page whether it is only a link
(a menu). The kind is judged by the content, not by the file's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reports.spec.numbers import NumberError


class SourceError(NumberError):
    """The file cannot be read as a published report; ``str()`` is the Chinese reason."""


@dataclass(frozen=True)
class Line:
    text: str
    table: bool = False  # a table line of extracted text (a TAB in it)
    cells: tuple[str | None, ...] | None = None  # a row whose cells the source knows
    heading: bool = False  # styled as a heading (a Word heading style, <h1>–<h6>)
    link: bool = False  # nothing but a link (a portal's menus)


def row(cells: list[str | None]) -> Line | None:
    """A table row, or None when every cell is empty."""
    if not any((c or "").strip() for c in cells):
        return None
    return Line("\t".join(c or "" for c in cells), cells=tuple(cells))


_MD_RULE = re.compile(r"^\s*:?-{2,}:?\s*$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s*")
_EMPHASIS = re.compile(r"\*\*|__")
# Word's field codes and bookmarks that survive a text export.
_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError("无法识别文件的文字编码（应为UTF-8或GBK）")


def clean_text(text: str) -> str:
    text = _BR.sub("", _ARTEFACTS.sub("", text))
    text = _MD_HEADING.sub("", text)
    return _EMPHASIS.sub("", text)


def _pipe_row(stripped: str) -> bool:
    """A Markdown table row. GitHub-flavoured Markdown lets a row leave out its leading
    or its trailing bar (``规章 | 0 | 0 | 0 |``), and a web page copied as text writes its
    tables that way, a caption as a row of one cell (``第二十条第(一)项 |``); prose never
    ends with a bar."""
    if stripped.startswith("|"):
        return stripped.count("|") >= 2
    return stripped.endswith("|") and len(stripped) > 1


def text_lines(text: str) -> list[Line]:
    """Plain text or Markdown. A ``|`` table row and a line of TAB-separated cells from
    a PDF tool are rows; a line starting with a single TAB is one cell of Word's text
    export (one cell per line, not a row)."""
    lines: list[Line] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.strip()
        if _pipe_row(stripped):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(_MD_RULE.match(c) or not c for c in cells):
                continue
            made = row([clean_text(c) for c in cells])
            if made is not None:
                lines.append(made)
        elif "\t" in raw:
            body = _ARTEFACTS.sub("", raw.rstrip("\n"))
            if body.startswith("\t") and body.count("\t") == 1:
                lines.append(Line(body, table=True))
            else:
                cells = body.split("\t")
                filled = [c.strip() for c in cells if c.strip()]
                # A heading that a PDF tool wrote with a TAB after its numbering
                # (四、\t政府信息公开…) is no row.
                if len(filled) == 2 and re.fullmatch(r"[一二三四五六七八九十]+、", filled[0]):
                    lines.append(Line("".join(filled)))
                else:
                    lines.append(Line(body, table=True, cells=tuple(cells)))
        else:
            lines.append(Line(clean_text(raw).strip()))
    return lines


def looks_like_html(text: str) -> bool:
    head = text[:4000].lower()
    return (
        "<html" in head
        or "<body" in head
        or "<!doctype" in head
        or bool(re.search(r"<table[\s>]", text[:200000], re.IGNORECASE))
    )


# Which kind of published file the bytes are: by content, the name only as a tie-break.
def published_kind(data: bytes, name: str = "") -> str:
    if data[:5] == b"%PDF-" or data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"  # word.read_docx checks that it is a Word document
    text_head = data[:4000].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_head.startswith((b"<!doctype", b"<html", b"<?xml", b"<meta", b"<head")):
        return "html"
    if name.lower().endswith((".html", ".htm", ".mht", ".shtml")):
        return "html"
    return "text"
