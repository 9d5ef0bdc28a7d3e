"""The rules of SPEC §3, in one registry.

Every path that judges a report — the section forms, the 检查 panel, the importers,
``check_report`` and the submit gate — calls ``check()``. Importing this package
registers every rule: R1–R6 in ``tables``, R7/R11/R12 in ``crossyear``, R8–R10 in
``narrative``, R13 in ``calendar``; ``progress`` says how far each editing page is
filled in; ``counts`` turns findings into the counts stored with each report.
"""

from reports.rules import calendar, crossyear, narrative, progress, tables
from reports.rules.progress import STATE_LABELS, PageProgress, Progress, progress_of
from reports.rules.registry import (
    RULES,
    SEVERITY_LABELS,
    Context,
    Finding,
    Rule,
    Severity,
    check,
    has_errors,
    rule,
)

__all__ = [
    "RULES",
    "SEVERITY_LABELS",
    "STATE_LABELS",
    "Context",
    "Finding",
    "PageProgress",
    "Progress",
    "Rule",
    "Severity",
    "calendar",
    "check",
    "crossyear",
    "has_errors",
    "narrative",
    "progress",
    "progress_of",
    "rule",
    "tables",
]
