"""A report's share of its regions' totals, and a save's difference added to them.

A clerk saving a page of the editor changes one report: its cells, its finding counts
and its stored findings. Summing its region's direct agencies again for that (350
aggregates, which PostgreSQL takes longer to plan than to run, and four more queries)
was two fifths of the save (bench/load.py). Instead the report's share before the save
and after it are computed from the report in hand, and the difference is added to
every region above it, as the regions above the deepest one already were.

The share is what ``regions.live`` sums for one report, by the same definitions (the
stored cells, ``report_progress`` beside ``progress()``, the deadlines, the finding
keys); tests compare the shares of many reports with ``live``. It is exact only if
nothing else changed the report between the two: ``saving`` is entered with the
report's row locked (``select_for_update``), which every write of its cells, its
status and its dates waits for, and the findings before are the rows the recount
replaces, read locked as it deletes them, so a reviewer's mark committed meanwhile is
in them. Whatever cannot be shifted (another year, a region without its row yet) is
summed again by ``regions.note``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.db import transaction

from reports.models import regions
from reports.models.agency import Agency
from reports.models.regions import (
    FEE_FIELDS,
    KIND_COUNTS,
    KINDS,
    PROGRESS_COUNTED,
    RegionTotal,
    Totals,
    agency_key,
    finding_key,
)
from reports.models.report import Report, report_first_publication, report_progress
from reports.models.states import COMPLETE
from reports.models.triage import Triage
from reports.spec import schema
from reports.spec.calendar import deadline_for

# A stored finding as the totals count it: rule, severity, triage.
FindingRow = tuple[str, str, str]


def share(report: Report, findings: Iterable[FindingRow]) -> Totals:
    """What ``report`` (its agency loaded) adds to the totals of each region above it,
    with ``findings`` its stored findings; nothing unless it is the current revision."""
    totals = Totals()
    if not report.is_current:
        return totals
    totals.reports = 1
    for c in schema.STORED_CELLS:
        value = getattr(report, c.field)
        if value is None:
            totals.blanks[c.field] = 1
            value = Decimal(0) if c.field in FEE_FIELDS else 0
        totals.sums[c.field] = value
    progress = report_progress(report)
    totals.by_progress = {p: int(p == progress) for p in PROGRESS_COUNTED}
    published = report_first_publication(report)
    for is_government, kind in KINDS.items():
        counted = dict.fromkeys(KIND_COUNTS, 0)
        if report.agency.is_government == is_government:
            if published is None:
                counted["undated"] = int(progress in COMPLETE)
            elif published <= deadline_for(report.year, is_government):
                counted["on_time"] = 1
            else:
                counted["late"] = 1
        totals.kinds[kind] = counted
    totals.with_errors = int((report.error_count or 0) > 0)
    open_ones: set[tuple[str, str]] = set()
    for rule, severity, triage in findings:
        key = finding_key(rule, severity, triage)
        totals.findings[key] = totals.findings.get(key, 0) + 1
        if triage == Triage.OPEN:
            open_ones.add((rule, severity))
    # One agency each: of the rule and severity, of the rule, of the severity, at all.
    for rule, severity in open_ones:
        totals.open_agencies[agency_key(rule, severity)] = 1
        totals.open_agencies[agency_key(rule)] = 1
        totals.open_agencies[agency_key(severity=severity)] = 1
        totals.open_agencies[agency_key()] = 1
    return totals


# The reports being saved, as they were when their rows were locked, by primary key.
_before: ContextVar[dict[int, Report] | None] = ContextVar("shares_before", default=None)


@contextmanager
def saving(report: Report) -> Iterator[None]:
    """Inside, the recount of ``report`` (its row locked by the caller, before anything
    is copied onto it) shifts its regions' totals instead of summing them again."""
    token = _before.set({**(_before.get() or {}), report.pk: copy.copy(report)})
    try:
        yield
    finally:
        _before.reset(token)


def before(report: Report) -> Report | None:
    """``report`` as it was when ``saving`` began, if it is being saved."""
    return (_before.get() or {}).get(report.pk)


def shift(
    old: Report, old_findings: list[FindingRow], new: Report, new_findings: list[FindingRow]
) -> bool:
    """Add the difference between ``old``'s share and ``new``'s (the same report before
    and after a save) to every region above it; False, changing nothing, when that
    cannot be done (the year or the agency changed, a region has no row yet)."""
    if (old.agency_id, old.year) != (new.agency_id, new.year):
        return False
    if regions.is_suspended():
        return True
    after, before_ = share(new, new_findings), share(old, old_findings)
    if after == before_:  # a narrative changed, say: no region's row to lock or write
        return True
    difference = after.add(before_, -1)
    ids = [int(p) for p in new.agency.path.strip("/").split("/") if p]
    with transaction.atomic(savepoint=False):
        # Locked top down, as ``regions.refresh_above`` locks them: one order, no deadlock.
        locked = RegionTotal.objects.select_for_update(of=("self",))
        rows = list(locked.filter(agency_id__in=ids, year=new.year).order_by("agency__path"))
        have = {row.agency_id for row in rows}
        if not set(ids[:-1]) <= have:
            return False
        if ids[-1] not in have and Agency.objects.filter(parent_id=ids[-1]).exists():
            return False
        for row in rows:
            regions.store(row.agency_id, new.year, row.totals().add(difference))
    return True
