"""The counts of a report's findings that are stored with it (``Report.error_count``,
``warning_count``, ``blank_count``) and its 完成度 (``completion``), so that pages
listing thousands of reports never run the rules per report."""

from __future__ import annotations

from collections import Counter

from reports.rules.progress import Progress
from reports.rules.registry import Finding

COUNT_FIELDS = ("error_count", "warning_count", "blank_count", "completion")


def counts(findings: list[Finding], progress: Progress) -> dict[str, int]:
    """The stored counts; ``blank_count`` (cells R5 found blank) lets the roll-up find
    the few reports with blank cells without testing 130 columns of every report."""
    by = Counter(f.severity for f in findings)
    blanks = sum(len(f.cells) for f in findings if f.rule == "R5")
    return {
        "error_count": by["error"],
        "warning_count": by["warning"],
        "blank_count": blanks,
        "completion": progress.percent,
    }
