"""Starting the report of year Y from the same agency's report of year Y−1.

What carries over is what the template defines as carrying over: 上年结转 of this year
is 结转下年度继续办理 of last year (per applicant column, R7), and 现行有效件数 starts
from last year's count (R11). The narrative's sub-section headings of 一 are reused
(agencies keep their own list from year to year); its text is not, since evaluators
mark copied reports (R12).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from reports.models import Agency, GeneralSection, Report, counts
from reports.spec import schema


def start_report(agency: Agency, year: int, created_by: Any = None) -> Report:
    """A new draft with the standard sub-sections of 一 and the signature prefilled,
    started from last year's report when there is one (``prefill_from_previous``);
    ``report.prefilled`` says what was taken over, for the page to tell the clerk."""
    with transaction.atomic(), counts.deferred():
        report = Report.objects.create(
            agency=agency,
            year=year,
            title=schema.title_for(agency.name, year),
            signature_agency=agency.name,
            created_by=created_by,
        )
        # With history rows, so that the section history and conflict checks see them.
        bulk_create_with_history(
            [
                GeneralSection(report=report, position=i, heading=h)
                for i, h in enumerate(schema.STANDARD_GENERAL_HEADINGS)
            ],
            GeneralSection,
            default_user=created_by,
        )
        report.prefilled = prefill_from_previous(report)  # type: ignore[attr-defined]
        counts.note(report)  # with the sub-sections bulk-created after the save
    return report


def previous_report(report: Report) -> Report | None:
    return (
        Report.objects.current()
        .filter(agency_id=report.agency_id, year=report.year - 1)
        .prefetch_related("general")
        .first()
    )


def prefill_from_previous(report: Report) -> list[str]:
    """Pre-fill a new draft from last year's report; returns what was pre-filled, in
    Chinese, for the page to say so. Nothing happens when there is no such report."""
    previous = previous_report(report)
    if previous is None:
        return []
    figures = previous.figures()
    done: list[str] = []

    forward = figures["applications"]["carried_forward"]
    if any(forward.get(c.key) is not None for c in schema.APPLICANT_COLUMNS):
        for col in schema.APPLICANT_COLUMNS:
            setattr(
                report, schema.cell("applications", "carried_over", col.key).field, forward[col.key]
            )
        done.append("“二、上年结转政府信息公开申请数量”（取自上年“四、结转下年度继续办理”）")

    in_force = [
        (row, figures["active_disclosure"][row]["in_force"])
        for row in ("rules", "normative_documents")
    ]
    if any(value is not None for _, value in in_force):
        for row, value in in_force:
            setattr(report, schema.cell("active_disclosure", row, "in_force").field, value)
        done.append("“现行有效件数”（上年末的件数，请按本年制发、废止情况调整）")

    headings = [s.heading for s in previous.general.all() if s.heading.strip()]
    if headings:
        report.general.all().delete()
        bulk_create_with_history(
            [GeneralSection(report=report, position=i, heading=h) for i, h in enumerate(headings)],
            GeneralSection,
            default_user=report.created_by,
        )
        done.append("“一、总体情况”的小标题（正文需重新撰写）")

    report.save()
    if done:
        done.insert(0, f"已根据{previous.year}年度报告预填：")
    return done
