"""The rules of SPEC §3, in one registry.

Every path that judges a report — the section forms, the 检查 panel, the importers,
``check_report`` and the submit gate — calls ``check()``. Importing this package
registers every rule: R1–R6 in ``tables``; R7, R11, R12, R14, R15 and R18 (against
last year) in ``crossyear``; R8–R10 in ``narrative``; R13 in ``calendar``; R16 (against
other agencies) in ``crossagency``; R17, R19 and R20 (the text on its own) in
``contents``; ``progress`` says how far each editing page is filled in; ``counts``
turns findings into the counts stored with each report. R21–R23 in ``region`` judge a
region document (``check_region``): a government's subtree for a year.
"""

from reports.rules import (
    calendar,
    contents,
    crossagency,
    crossyear,
    narrative,
    progress,
    region,
    tables,
)
from reports.rules.progress import STATE_LABELS, PageProgress, Progress, progress_of
from reports.rules.registry import (
    RULES,
    SEVERITY_LABELS,
    Context,
    Finding,
    Rule,
    Severity,
    check,
    check_region,
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
    "check_region",
    "contents",
    "crossagency",
    "crossyear",
    "has_errors",
    "narrative",
    "progress",
    "progress_of",
    "region",
    "rule",
    "tables",
]
