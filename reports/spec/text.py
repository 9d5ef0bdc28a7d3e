"""Text from outside (forms, workbooks, published reports, JSON) as values: the one
place that decides what a narrative, a title or a heading may hold.

Plain text with paragraphs, never markup. Word's manual line break (``\\x0b``) and the
other characters that mean "new line" become a line break; any other control
character is refused, since no output format (DOCX, XLSX, PDF) can hold it and a clerk
cannot see it to remove it. Every path answers with the same Chinese reason
(``TextError``), prefixed by the name of the field or cell.
"""

from __future__ import annotations

import re

# A tag opener such as <p, </div, <!--, <?xml. Chinese book-title marks 《》 and a
# "<" followed by a space ("数量 a < b") are not markup: no browser reads them as a tag.
_TAG = re.compile(r"<(?:/?[A-Za-z]|[!?])")

# The longest narrative field: several times the longest published report (~30,000
# characters), and still inside the request limit (DATA_UPLOAD_MAX_MEMORY_SIZE) when
# URL-encoded at nine bytes a character.
NARRATIVE_MAX_CHARS = 500_000

PLAIN_TEXT_MESSAGE = "请填写纯文本，不接受HTML标记（如 <p>、<img>）。"

# What Word, WPS and Unicode use as a line break within a paragraph or between them.
_LINE_BREAKS = str.maketrans(
    {"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
)
# C0 and C1 controls but TAB and LF, unpaired surrogates and the non-characters
# U+FFFE/U+FFFF: none can be stored in a DOCX or XLSX (nor NUL in PostgreSQL).
_REFUSED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class TextError(ValueError):
    """Text that cannot be a field's value; ``str()`` is the Chinese reason."""


def has_markup(text: str) -> bool:
    return bool(_TAG.search(text or ""))


def normalise_text(value: str) -> str:
    """Unify line endings and trim trailing spaces, keeping paragraphs."""
    lines = (value or "").replace("\r\n", "\n").translate(_LINE_BREAKS).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def printable(value: str) -> str:
    """Stored text as a document format can hold it: text saved before input refused
    control characters would otherwise fail a whole download."""
    return _REFUSED.sub("", (value or "").translate(_LINE_BREAKS))


def clean_text(value: str, *, max_length: int | None = None, single_line: bool = False) -> str:
    """``value`` as stored: line breaks unified (a single-line field such as a title
    gets a space instead), then checked for control characters, markup and length."""
    text = normalise_text(value)
    bad = _REFUSED.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise TextError(
            f"第{line}行含有不可见的控制字符（U+{ord(bad.group()):04X}），请删除后重新填写。"
        )
    if has_markup(text):
        raise TextError(PLAIN_TEXT_MESSAGE)
    if single_line:
        text = " ".join(part.strip() for part in text.split("\n") if part.strip())
    else:
        text = text.strip("\n")
    if max_length is not None and len(text) > max_length:
        raise TextError(f"不能超过{max_length}个字（现有{len(text)}个字）。")
    return text
