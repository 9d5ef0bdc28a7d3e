"""Counts as agency staff read them on the oversight pages: grouped by thousands with
commas (182,106), as statistical tables write them (GB/T 15835 allows the comma in
such tables). Django's ``intcomma`` follows the zh-hans locale, which groups nothing.

Only for counts of reports, agencies, findings and cells; the figures of the report's own
tables keep the form the template prints them in.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import numberformat

register = template.Library()


@register.filter
def grouped(value: Any) -> Any:
    """``182106`` → ``182,106``; anything that is not an integer is left as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return numberformat.format(value, ".", grouping=3, thousand_sep=",", force_grouping=True)
