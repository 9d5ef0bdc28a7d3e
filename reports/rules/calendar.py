"""R13: publication after the deadline (SPEC §1).

Reads ``doc["published_on"]`` (the first publication of the agency's report for the
year: a corrected revision is not late for being corrected) and ``doc["is_government"]``,
which documents of saved reports carry.
"""

from __future__ import annotations

from collections.abc import Iterator

from reports.rules.registry import Context, Finding, rule
from reports.spec.calendar import chinese_date, days_late, deadline_for


@rule("R13", "info", "按时发布")
def published_on_time(doc: dict, context: Context) -> Iterator[Finding]:
    published = doc.get("published_on")
    year = doc.get("year")
    if published is None or year is None:
        return
    deadline = deadline_for(year, bool(doc.get("is_government")))
    late = days_late(published, deadline)
    if not late:
        return
    yield Finding(
        "R13",
        "info",
        f"本报告于{chinese_date(published)}发布，晚于{chinese_date(deadline)}的截止日期{late}天。",
        section="info",
    )
