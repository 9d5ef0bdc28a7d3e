"""How far a report has been filled in: each editing page 未填, 填写中, 有错误 or 已完成,
and the 完成度 of the whole, from the document and what the rules found in it.

A page is in error when an error-level finding that is not only about something
missing points at it (R1's balance, a published total that disagrees); otherwise it is
untouched while none of its parts is filled, done when all are and no finding says
something is missing (R5's blank cells, R6's empty sections), and being filled in
between. The parts of a page are what a finished report has there: every stored cell
of a table, every sub-section body of 一, the text of 五 and 六, and on 基本信息 the
opening paragraph and the closing block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reports.rules.registry import Finding
from reports.spec import figures as fig
from reports.spec import schema

PageState = Literal["empty", "in_progress", "error", "done"]
STATE_LABELS: dict[str, str] = {
    "empty": "未填",
    "in_progress": "填写中",
    "error": "有错误",
    "done": "已完成",
}


@dataclass(frozen=True)
class PageProgress:
    key: str
    title: str
    state: PageState
    filled: int
    parts: int

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class Progress:
    pages: tuple[PageProgress, ...]

    @property
    def done(self) -> int:
        return sum(1 for p in self.pages if p.state == "done")

    @property
    def percent(self) -> int:
        """完成度: the share of the editing pages that are done, in per cent."""
        return round(100 * self.done / len(self.pages))

    def of(self, key: str) -> PageProgress:
        return next(p for p in self.pages if p.key == key)


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _parts(doc: dict, page: str) -> list[bool]:
    """Whether each part a finished report has on ``page`` is filled."""
    sections = doc.get("sections") or {}
    if page == "info":
        signature = doc.get("signature") or {}
        return [
            _filled(sections.get("opening")),
            _filled(signature.get("agency")),
            _filled(signature.get("date")),
        ]
    if page == "general":
        return [_filled(s.get("body")) for s in sections.get("general") or []] or [False]
    if page in schema.NOTE_KEYS:
        return [fig.get(doc, c) is not None for c in schema.stored_cells_of(page)]
    return [_filled(sections.get(page))]


def progress_of(doc: dict, findings: list[Finding]) -> Progress:
    """Each editing page's state, in the order of ``schema.EDIT_PAGES``."""
    pages = []
    for key, title in schema.EDIT_PAGES:
        mine = [f for f in findings if f.edit_section == key and f.severity == "error"]
        parts = _parts(doc, key)
        filled = sum(parts)
        state: PageState
        if any(not f.incomplete for f in mine):
            state = "error"
        elif filled == 0:
            state = "empty"
        elif filled < len(parts) or mine:
            state = "in_progress"
        else:
            state = "done"
        pages.append(PageProgress(key, title, state, filled, len(parts)))
    return Progress(tuple(pages))
