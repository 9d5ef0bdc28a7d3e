"""A web page saved from a portal (or HTML saved from Word) as lines.

Tables become rows on a grid: ``rowspan`` and ``colspan`` are expanded, the positions
a merged cell covers are ``None``, so every value keeps its column. A cell's text is
joined without spaces between inline elements (digits split across ``<span>``s, ``0&nbsp;``).
Scripts, styles, forms and the page's navigation are dropped; a line that is only a
link (a menu item) is marked, so the parser can leave it out of the narrative.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from reports.io.published.source import Line, SourceError, clean_text, row

_SKIP = {"script", "style", "head", "noscript", "select", "option", "button", "form", "iframe"}
_CHROME_TAGS = {"nav", "header", "footer", "aside"}
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "br",
    "tr", "ul", "ol", "dd", "dt", "center", "blockquote", "pre",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
MAX_SPAN = 50


def _text(element: etree._Element) -> str:
    """A cell's text: inline pieces joined as they are, block breaks as line breaks."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            if el.tail:
                parts.append(el.tail)
            return
        if tag in _BLOCKS and parts:
            parts.append("\n")
        if el.text and tag not in _SKIP:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCKS:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    text = "".join(parts).replace("\u00a0", " ")
    return "\n".join(" ".join(p.split()) for p in text.split("\n") if p.strip())


def _span(value: str | None) -> int:
    return min(int(value), MAX_SPAN) if value and value.strip().isdigit() else 1


def _table_rows(table: etree._Element) -> list[Line]:
    """The rows of a table on its grid, merged cells expanded."""
    grid: dict[tuple[int, int], str | None] = {}
    rows = [tr for tr in table.iter("tr") if _owner(tr) is table]
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            rowspan, colspan = _span(td.get("rowspan")), _span(td.get("colspan"))
            text = clean_text(_text(td)).replace("\n", " ")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else None
            c += colspan
            width = max(width, c)
    out: list[Line] = []
    for r in range(len(rows)):
        made = row([grid.get((r, c), "") for c in range(width)])
        if made is not None:
            out.append(made)
    return out


def _owner(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _is_report_table(table: etree._Element) -> bool:
    """A data table, not a layout table holding the whole page: it holds no table."""
    return not any(True for _ in table.iterdescendants("table"))


class _Lines:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.links: list[bool] = []  # per piece of the buffer: inside a link
        self.heading = False

    def add(self, text: str, link: bool) -> None:
        self.buffer.append(text)
        self.links.append(link or not text.strip())

    def flush(self) -> None:
        text = "".join(self.buffer).replace("\u00a0", " ")
        only_links = all(self.links) and any(p.strip() for p in self.buffer)
        for part in text.split("\n"):
            part = clean_text(" ".join(part.split())).strip()
            if part:
                self.lines.append(Line(part, heading=self.heading, link=only_links))
        self.buffer, self.links, self.heading = [], [], False

    def walk(self, el: etree._Element, link: bool = False) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP or tag in _CHROME_TAGS:
            if el.tail:
                self.add(el.tail, link)
            return
        if tag == "table" and _is_report_table(el):
            self.flush()
            self.lines.extend(_table_rows(el))
            if el.tail:
                self.add(el.tail, link)
            return
        if tag in _BLOCKS:
            self.flush()
            self.heading = tag in _HEADINGS
        inner = link or tag == "a"
        if el.text:
            self.add(el.text, inner)
        for child in el:
            self.walk(child, inner)
        if tag in _BLOCKS:
            self.flush()
        if el.tail:
            self.add(el.tail, link)


def html_lines(text: str) -> list[Line]:
    try:
        # Decoded already (UTF-8 or GBK): told so, lxml ignores the page's meta charset.
        parser = lxml_html.HTMLParser(encoding="utf-8")
        document = lxml_html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        raise SourceError("无法解析网页文件（HTML）") from None
    reader = _Lines()
    body = document.find("body")
    title = document.find(".//title")
    if title is not None and title.text:
        reader.lines.append(Line(" ".join(title.text.split())))
    reader.walk(body if body is not None else document)
    reader.flush()
    return reader.lines
