"""The prose of a published report: paragraphs, the sub-sections of 一, the notes around
a table, the closing block (落款), and the web page around the report."""

from __future__ import annotations

import re
import unicodedata

from reports.io.published.source import Line
from reports.io.published.tokens import NUMERALS, PAGE_NUMBER, norm

DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
# 一's sub-headings: （一） or (一) (half-width), and in reports whose narrative is
# numbered 一–六 of its own, 二、… after the 一 heading.
_SUBHEADING = re.compile(r"^(?:[(（]([" + NUMERALS + r"]+)[)）]|([" + NUMERALS + r"]+)、)\s*")
# What a portal puts around the article: footers, tools, navigation.
_CHROME = re.compile(
    r"(版权所有|主办单位|承办单位|主办：|承办：|ICP备|网站标识码|公网安备|技术支持|联系我们|网站地图|"
    r"打印本页|关闭窗口|【打印】|【关闭】|字体：|字号：|扫一扫|分享到|上一篇|下一篇|相关链接|"
    r"浏览次数|访问量|您当前的位置|当前位置：|首页\s*>)"
)


def is_chrome(text: str) -> bool:
    """A portal's line around the article. Only short lines: a paragraph of the report
    may well say 提供技术支持."""
    text = text.strip()
    return len(text) <= 60 and not text.endswith("。") and bool(_CHROME.search(text))


def paragraphs(lines: list[Line]) -> list[str]:
    """The text lines that are prose: not table rows, page numbers or links."""
    out = []
    for line in lines:
        text = line.text.strip()
        if line.table or line.cells is not None or line.link or not text:
            continue
        if PAGE_NUMBER.match(text) or is_chrome(text):
            continue
        out.append(text)
    return out


def general_subsections(paras: list[str]) -> list[dict]:
    subs: list[dict] = []
    current: dict | None = None
    for text in paras:
        m = _SUBHEADING.match(unicodedata.normalize("NFKC", text))
        if m and (m.group(1) or len(text) <= 40 or re.search(r"[。：:]", text[:30])):
            heading, body = _split_subheading(text, m)
            current = {"heading": heading, "body": body}
            subs.append(current)
        elif current is None:
            current = {"heading": "", "body": text}
            subs.append(current)
        else:
            current["body"] = (current["body"] + "\n" + text).strip("\n")
    return subs


def _split_subheading(text: str, m: re.Match) -> tuple[str, str]:
    numeral = m.group(1) or m.group(2)
    normalised = unicodedata.normalize("NFKC", text)
    rest = normalised[m.end() :]
    rest = text[len(text) - len(rest) :] if len(text) == len(normalised) else rest
    stop = re.search(r"[。：:]", rest)
    if stop and stop.start() <= 30:
        title, body = rest[: stop.start()], rest[stop.end() :]
    elif len(rest) <= 30:
        title, body = rest, ""
    else:
        title, body = "", rest
    return f"（{numeral}）{title.strip()}", body.strip()


def _is_sentence(text: str) -> bool:
    """Prose, as opposed to a table's caption or header (第二十条第（一）项, 信息内容)."""
    return bool(re.search(r"[。，；]", text)) or len(text) > 30


def note_text(before: list[Line], after: list[Line]) -> list[str]:
    """The paragraphs of a table section that are not part of the table: sentences
    before it (not its caption) and after it (a 注 line included)."""
    head = [p for p in paragraphs(before) if _is_sentence(p)]
    tail = [p for p in paragraphs(after) if len(p) >= 10 or norm(p).startswith("注")]
    return head + tail


def signature_lines(paras: list[str]) -> tuple[list[str], dict]:
    """The paragraphs without the closing block, and the closing block: the agency
    (the line before the date, when it is short and no sentence) and the date."""
    signature: dict = {"agency": "", "date": None}
    while paras and PAGE_NUMBER.match(paras[-1]):
        paras = paras[:-1]
    # A date a little before the end: a web page may add a line after the report.
    for back in range(1, min(3, len(paras)) + 1):
        m = DATE.match(norm(paras[-back]))
        if not m:
            continue
        year, month, day = (int(g) for g in m.groups())
        signature["date"] = f"{year:04d}-{month:02d}-{day:02d}"
        rest = paras[: len(paras) - back]
        if rest and len(rest[-1]) <= 40 and not re.search(r"[。，；]", rest[-1]):
            signature["agency"] = rest[-1]
            rest = rest[:-1]
        return rest, signature
    return paras, signature
