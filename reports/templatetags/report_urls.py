"""``{% report_url name pk %}``: ``{% url name pk %}`` of a page that takes one id (a
report's, an agency's), without a ``reverse`` per link.

The header of every report page links eight of them, and their ``{% url %}`` cost the
section editor a tenth of the signed-in floor (bench/editor.py). Each name is reversed
once per process, for a sample id, and the id is put where the sample's was.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

register = template.Library()

# An id no URL of the app spells otherwise.
_SAMPLE = str(987_654_321_987)


@lru_cache(maxsize=256)
def _around(name: str, prefix: str, urlconf: str) -> tuple[str, str]:
    """What comes before and after the id in the URL ``name`` (under ``prefix``, the
    script's, which ``reverse`` puts in front)."""
    head, found, tail = reverse(name, args=[int(_SAMPLE)], urlconf=urlconf).rpartition(_SAMPLE)
    if not found or _SAMPLE in head:
        raise NoReverseMatch(f"{name} does not take one id")
    return head, tail


@register.simple_tag
def report_url(name: str, pk: int) -> str:
    head, tail = _around(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{head}{int(pk)}{tail}"
