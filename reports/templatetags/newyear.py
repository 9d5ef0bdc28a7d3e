"""Saying on the editing pages what a new report took over from last year's."""

from __future__ import annotations

from django import template

register = template.Library()

# Worded so that they stay true for a report created before last year's was imported.
NOTES = {
    "general": "新建时小标题沿用{year}年度报告；正文需重新撰写（照抄上年内容会被评估扣分）。",
    "active_disclosure": ("“现行有效件数”新建时取自{year}年度报告，请按本年制发、废止情况调整。"),
    "applications": (
        "“二、上年结转政府信息公开申请数量”应等于{year}年度报告的"
        "“四、结转下年度继续办理”，新建时已据此预填。"
    ),
}


@register.inclusion_tag("reports/_prefill_note.html")
def prefill_note(report, section: str, has_last_year: bool) -> dict:
    """Only on the pages whose content was pre-filled, only while editable, and only
    when there is a report of last year (which the page has read for the rules)."""
    note = ""
    if section in NOTES and report.is_editable and has_last_year:
        note = NOTES[section].format(year=report.year - 1)
    return {"note": note}
