"""The rows of the 修改记录 table (``reports/_field_history.html``), written in one pass.

A page of the history is up to 20 saves, each of them one row per changed cell or
field, and a save of 表三 can change dozens. As template markup each row cost five
variable nodes with their filters (a date in the local time, two truncations), which
made the history most of the report page's rendering (bench/oversight.py's report
page against the trivial signed-in page). This tag writes the very same rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import is_aware, localtime

from reports.io.forms import html_escape as _e
from reports.models.saves import HistoryEntry

register = template.Library()

# Values longer than this are cut, as ``truncatechars:200`` cut them.
SHOWN_CHARS = 200
# The whitespace of that markup, kept so that pages stay byte-for-byte the same.
_ROW = "\n      "
_ENTRY_CLOSE = "\n    "


def _when(at: datetime) -> str:
    """The time as ``date:"Y年n月j日 H:i"`` wrote it, in the local time zone as the
    template engine converts aware times (the filter parses its format at each call)."""
    if not at:
        return ""
    t = localtime(at) if is_aware(at) else at
    return f"{t.year:04d}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"


def _cut(value: str) -> str:
    """What ``truncatechars:200`` wrote, escaped. Its ``Truncator`` normalises the text
    and translates the ellipsis at each call; most values are far shorter."""
    text = unicodedata.normalize("NFC", value)
    if len(text) <= SHOWN_CHARS:  # combining characters only shorten it
        return _e(text)
    return _e(Truncator(text).chars(SHOWN_CHARS))


@register.simple_tag
def history_rows(entries: Iterable[HistoryEntry]) -> SafeString:
    """One ``<tr>`` per change of each entry, or one for an entry without changes
    (a report created)."""
    out: list[str] = []
    for entry in entries:
        lead = (
            f'<tr><td class="text-nowrap">{_e(_when(entry.at))}</td>'
            f'<td class="text-nowrap history-user">{_e(entry.user)}</td>'
        )
        out.append(_ROW)
        if not entry.changes:
            out.append(f'{_ROW}{lead}<td colspan="3">{_e(entry.kind)}报告</td></tr>{_ROW}')
        for c in entry.changes:
            out.append(
                f"{_ROW}{lead}<td>{_e(c.label)}</td>"
                f'<td class="history-old">{_cut(c.old)}</td>'
                f'<td class="history-new">{_cut(c.new)}</td></tr>{_ROW}'
            )
        out.append(_ENTRY_CLOSE)
    return mark_safe("".join(out))
