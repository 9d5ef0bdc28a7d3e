"""Saying on the editing pages what a new report took over from last year's."""

from __future__ import annotations

from django import template

from reports.models import Report

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
def prefill_note(report, section: str) -> dict:
    """Only on the pages whose content was pre-filled, and only while editable."""
    note = ""
    if section in NOTES and report.is_editable:
        last_year = report.year - 1
        if Report.objects.filter(agency_id=report.agency_id, year=last_year).exists():
            note = NOTES[section].format(year=last_year)
    return {"note": note}
