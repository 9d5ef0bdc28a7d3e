"""The findings of a region: every stored finding of the current reports of a year in
an oversight office's subtree, with its triage, filtered and listed in pages.

Flat at any size: the counts (by triage status, by rule, by severity, the agencies
with open findings) are the region's stored totals (``reports.models.regions``), one
row, and the list is walked in the index of its order (``stored_finding_list``: the
rule's rank, the report, the finding) from a keyset cursor, so a page of a province's
180,000 findings costs what a page of 30 agencies' costs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, QuerySet

# Django's row comparison (composite keys' lookups, not yet documented): PostgreSQL takes
# ``(rank, report_id, id) > (...)`` as the index scan's start, where the same written as
# ORs is a filter on a walk from the first finding: a page deep in a province would
# read every finding before it (bench/oversight.py, the findings page).
from django.db.models.fields.tuple_lookups import (  # type: ignore[import-untyped]
    TupleGreaterThan,
    TupleLessThan,
)

from reports.models import Agency, Report, StoredFinding, regions, triage
from reports.rules import RULES, SEVERITY_LABELS
from reports.rules.registry import SEVERITY_ORDER

PAGE_SIZE = 50
TRIAGE_LABELS = {
    "open": "待处理",
    "confirmed": "确认问题",
    "dismissed": "不是问题",
    "all": "全部",
}
RULE_TITLES = {r.id: r.title for r in RULES}
ORDER = ("rank", "report_id", "pk")


def _cursor(value: str) -> tuple[int, int, int] | None:
    """A list position as written in a link (rank, report, finding); anything else
    is no position, never an error."""
    parts = value.split("-")
    # At most 18 digits: what the database's integers hold.
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 18 for p in parts):
        return None
    rank, report, pk = (int(p) for p in parts)
    return rank, report, pk


@dataclass(frozen=True)
class Filters:
    year: int
    rule: str = ""
    severity: str = ""
    triage: str = "open"
    within: int | None = None  # an agency of the subtree: its own subtree only
    after: str = ""  # the last finding of the page before (``_cursor``)
    before: str = ""  # the first finding of the page after

    @classmethod
    def from_query(cls, query: Any, default_year: int) -> Filters:
        """Read the query string; what is not a known value is ignored, never an error."""

        def number(key: str) -> int | None:
            value = (query.get(key) or "").strip()
            return int(value) if value.isdigit() else None

        rule = query.get("rule") or ""
        severity = query.get("severity") or ""
        status = query.get("triage") or "open"
        after = query.get("after") or ""
        before = query.get("before") or ""
        return cls(
            year=number("year") or default_year,
            rule=rule if rule in RULE_TITLES else "",
            severity=severity if severity in SEVERITY_LABELS else "",
            triage=status if status in TRIAGE_LABELS else "open",
            within=number("within"),
            after=after if _cursor(after) else "",
            before=before if _cursor(before) and not _cursor(after) else "",
        )

    def query(self, **changes: Any) -> str:
        values = {
            "year": self.year,
            "rule": self.rule,
            "severity": self.severity,
            "triage": self.triage,
            "within": self.within or "",
            "after": self.after,
            "before": self.before,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def without_page(self) -> Filters:
        return replace(self, after="", before="")

    def matches(self, rule: str, severity: str) -> bool:
        return (not self.rule or rule == self.rule) and (
            not self.severity or severity == self.severity
        )


def reports_of(scope: Agency, year: int) -> QuerySet[Report]:
    return Report.objects.current().filter(year=year, agency__path__startswith=scope.path)


def region_findings(region: Agency, filters: Filters) -> QuerySet[StoredFinding]:
    """The findings of ``region`` (the scope, or the sub-region chosen) by the
    filters except the triage status."""
    findings = triage.findings_of(reports_of(region, filters.year))
    if filters.rule:
        # One rank per rule: the index's range instead of a filter on its walk.
        findings = findings.filter(rule=filters.rule, rank=triage.rank_of(filters.rule))
    if filters.severity:
        findings = findings.filter(severity=filters.severity)
    return findings


def rows(region: Agency, filters: Filters) -> QuerySet[StoredFinding]:
    """Every finding to list, worst first, with its agency."""
    findings = region_findings(region, filters)
    if filters.triage != "all":
        findings = findings.filter(triage.status_filter(filters.triage))
    return findings.annotate(
        agency_name=F("report__agency__name"), agency_pk=F("report__agency_id")
    ).order_by(*ORDER)


@dataclass
class Page:
    """One page of the list: ``after`` and ``before`` are the cursors of the pages
    next to it (None at either end)."""

    findings: list[StoredFinding]
    total: int
    after: str | None
    before: str | None

    def __iter__(self) -> Iterator[StoredFinding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.after or self.before)


def _position(f: StoredFinding) -> str:
    return f"{f.rank}-{f.report_id}-{f.pk}"


def page(region: Agency, filters: Filters, total: int) -> Page:
    """The page after ``filters.after`` (or before ``filters.before``, or the first):
    one query of at most ``PAGE_SIZE + 1`` rows."""
    listed = rows(region, filters)
    key = (F("rank"), F("report_id"), F("pk"))
    backwards = _cursor(filters.before)
    if backwards:
        listed = listed.filter(TupleLessThan(key, backwards)).order_by(
            *(f"-{name}" for name in ORDER)
        )
        found = list(listed[: PAGE_SIZE + 1])
        more = len(found) > PAGE_SIZE
        found = found[:PAGE_SIZE][::-1]
        return Page(
            found,
            total,
            after=_position(found[-1]) if found else None,
            before=_position(found[0]) if found and more else None,
        )
    forwards = _cursor(filters.after)
    if forwards:
        listed = listed.filter(TupleGreaterThan(key, forwards))
    found = list(listed[: PAGE_SIZE + 1])
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    return Page(
        found,
        total,
        after=_position(found[-1]) if found and more else None,
        before=_position(found[0]) if found and forwards else None,
    )


@dataclass
class Summary:
    """How many findings of the filtered region are open, confirmed, dismissed; the
    open ones by rule and by severity."""

    by_triage: dict[str, int]
    by_rule: list[tuple[str, str, int]]
    by_severity: list[tuple[str, str, int]]
    agencies_with_open: int

    def listed(self, status: str) -> int:
        """How many findings the list of ``status`` holds."""
        if status == "all":
            return sum(self.by_triage.values())
        return self.by_triage.get(status, 0)


def summary(region: Agency, filters: Filters) -> Summary:
    """From the region's stored totals: one query (a few for an agency without
    agencies beneath it, summed from its report)."""
    totals = regions.totals_of(region, filters.year)
    by_triage = dict.fromkeys(("open", "confirmed", "dismissed"), 0)
    by_rule: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for key, n in totals.findings.items():
        rule, severity, status = key.split("|")
        if not filters.matches(rule, severity):
            continue
        by_triage[status] = by_triage.get(status, 0) + n
        if status == "open":
            by_rule[rule] = by_rule.get(rule, 0) + n
            by_severity[severity] = by_severity.get(severity, 0) + n
    agencies = totals.open_agencies.get(regions.agency_key(filters.rule, filters.severity), 0)
    return Summary(
        by_triage=by_triage,
        by_rule=[
            (rule, RULE_TITLES.get(rule, ""), n)
            for rule, n in sorted(by_rule.items(), key=lambda item: triage.rank_of(item[0]))
        ],
        by_severity=[
            (s, SEVERITY_LABELS[s], by_severity[s]) for s in SEVERITY_ORDER if s in by_severity
        ],
        agencies_with_open=agencies,
    )


EXPORT_HEADER = ["机关", "规则", "级别", "问题", "状态", "标记理由"]


def export_sheet(year: int) -> str:
    """The XLSX's sheet."""
    return f"{year}年度检查发现"


def export_title(region: Agency, filters: Filters) -> str:
    """What the XLSX is called: the region listed, the year and the status."""
    return f"{region.name}{filters.year}年度报告检查发现（{TRIAGE_LABELS[filters.triage]}）"


def export_params(filters: Filters) -> dict[str, str]:
    """The filters an export job keeps (``Filters.from_query`` reads them back); the
    region and the year are the job's own."""
    return {"rule": filters.rule, "severity": filters.severity, "triage": filters.triage}


def export_rows(region: Agency, filters: Filters) -> Iterator[list[Any]]:
    """Every row of the filtered list (no paging) for the XLSX, read in chunks: one
    query for the reasons of the region's marks (a mark is a person's, so they are
    few), then the findings."""
    reasons = {
        (m["report_id"], m["fingerprint"]): m["reason"]
        for m in triage.FindingMark.objects.filter(
            report__in=reports_of(region, filters.year)
        ).values("report_id", "fingerprint", "reason")
    }
    for f in rows(region, filters).iterator(chunk_size=2000):
        t: Any = f
        reason = reasons.get((f.report_id, f.fingerprint), "") if t.triage != "open" else ""
        yield [
            t.agency_name,
            f"{f.rule} {RULE_TITLES.get(f.rule, '')}",
            f.severity_label,
            f.message,
            TRIAGE_LABELS[t.triage],
            reason,
        ]
