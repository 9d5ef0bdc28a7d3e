"""Per-report counts of error and warning findings, stored on the report.

The oversight home lists thousands of reports with their counts; running the rules for
each on every request would cost a query per report and seconds of CPU. The counts are
therefore refreshed whenever a report or one of its sub-sections is saved, and for the
same agency's next-year report as well, since R7, R11 and R12 read this one.
``python manage.py refresh_finding_counts`` recomputes them all (after a rule changes).
"""

from __future__ import annotations

from collections import Counter

from django.db.models.signals import post_delete, post_save

from .rules import Finding

COUNT_FIELDS = ("error_count", "warning_count", "blank_count")


def counts(findings: list[Finding]) -> dict[str, int]:
    """The stored counts; ``blank_count`` (cells R5 found blank) lets the roll-up find
    the few reports with blank cells without testing 130 columns of every report."""
    by = Counter(f.severity for f in findings)
    blanks = sum(len(f.cells) for f in findings if f.rule == "R5")
    return {"error_count": by["error"], "warning_count": by["warning"], "blank_count": blanks}


def refresh(report) -> None:
    """Recompute the stored counts of ``report`` (an update, so no signal fires again)."""
    from .models import Report

    values = counts(report.findings())
    Report.objects.filter(pk=report.pk).update(**values)
    for name, value in values.items():
        setattr(report, name, value)


def refresh_with_next_year(report) -> None:
    from .models import Report

    refresh(report)
    following = Report.objects.filter(agency_id=report.agency_id, year=report.year + 1).first()
    if following is not None:
        refresh(following)


# Saving only these cannot change an error, warning or blank count (the status does not
# enter the rules; the publication date only feeds R13, an info), so workflow steps such
# as submitting or publishing do not pay for a recount.
NOT_COUNTED = {
    *COUNT_FIELDS,
    "status",
    "published_on",
    "updated_at",
    "created_by",
    "version",
}


def _report_saved(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    if raw or (update_fields and set(update_fields) <= NOT_COUNTED):
        return
    refresh_with_next_year(instance)


def _section_changed(sender, instance, raw=False, **kwargs) -> None:
    from .models import Report

    if raw:
        return
    report = Report.objects.filter(pk=instance.report_id).select_related("agency").first()
    if report is not None:
        refresh_with_next_year(report)


def connect() -> None:
    from .models import GeneralSection, Report

    post_save.connect(_report_saved, sender=Report, dispatch_uid="finding_counts_report")
    post_save.connect(_section_changed, sender=GeneralSection, dispatch_uid="finding_counts_sec")
    post_delete.connect(_section_changed, sender=GeneralSection, dispatch_uid="finding_counts_del")
