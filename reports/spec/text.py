"""Validation of narrative text: plain text with paragraphs, never markup."""

from __future__ import annotations

import re

# A tag opener such as <p, </div, <!--, <?xml. Chinese book-title marks 《》 and a
# lone "<" in "a < b" are not markup.
_TAG = re.compile(r"<\s*[/!?]?\s*[A-Za-z!?]")

PLAIN_TEXT_MESSAGE = "请填写纯文本，不接受HTML标记（如 <p>、<img>）。"


def has_markup(text: str) -> bool:
    return bool(_TAG.search(text or ""))


def normalise_text(value: str) -> str:
    """Unify line endings and trim trailing spaces, keeping paragraphs."""
    lines = (value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
