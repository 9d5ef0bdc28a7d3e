"""The calendar of the report (SPEC §1): its deadline and how late a publication was."""

from __future__ import annotations

from datetime import date

# The years a report may be for: the disclosure regulation dates from 2008.
FIRST_YEAR, LAST_YEAR = 2008, 2100


def deadline_for(year: int, is_government: bool) -> date:
    """31 January of the next year for a department, 31 March for a government-wide
    report."""
    return date(year + 1, 3 if is_government else 1, 31)


def reporting_year(today: date) -> int:
    """The year whose report is being written on ``today``: the one before today's
    (a report covers a calendar year and is due early in the next)."""
    return today.year - 1


def days_late(published_on: date | None, deadline: date) -> int:
    """Days past the deadline at publication; 0 when on time or not published."""
    if published_on is None:
        return 0
    return max((published_on - deadline).days, 0)


def chinese_date(value: date | None) -> str:
    """Dates as agency staff and the official layout write them: 2024年1月10日."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
