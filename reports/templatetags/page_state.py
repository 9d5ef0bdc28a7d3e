"""The badge of an editing page's state in the navigation of the section editor and of
the report page, written in one pass: each page lists all seven, and as an included
template the badges cost the editor a tenth of the signed-in floor (bench/editor.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from reports.io.forms import html_escape as _e
from reports.rules import PageProgress

register = template.Library()


@register.simple_tag
def page_state(p: PageProgress) -> SafeString:
    """How far page ``p`` is filled in; ``data-page-state`` is what the autosave's
    script updates."""
    return mark_safe(
        f'<span class="badge page-state state-{_e(p.state)}" data-page-state="{_e(p.key)}"'
        f' title="{_e(p.filled)}/{_e(p.parts)}">{_e(p.label)}</span>'
    )
