"""The findings of a region: every stored finding of the current reports of a year in
an oversight office's subtree, with its triage, filtered, grouped and paged in the
database (``reports.models.triage`` keeps them), so the page costs the same few
queries for 30 agencies or 3,000."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When

from reports.models import Agency, Report, StoredFinding, triage
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


@dataclass(frozen=True)
class Filters:
    year: int
    rule: str = ""
    severity: str = ""
    triage: str = "open"
    within: int | None = None  # an agency of the subtree: its own subtree only
    page: str = ""

    @classmethod
    def from_query(cls, query: Any, default_year: int) -> Filters:
        """Read the query string; what is not a known value is ignored, never an error."""

        def number(key: str) -> int | None:
            value = (query.get(key) or "").strip()
            return int(value) if value.isdigit() else None

        rule = query.get("rule") or ""
        severity = query.get("severity") or ""
        status = query.get("triage") or "open"
        return cls(
            year=number("year") or default_year,
            rule=rule if rule in RULE_TITLES else "",
            severity=severity if severity in SEVERITY_LABELS else "",
            triage=status if status in TRIAGE_LABELS else "open",
            within=number("within"),
            page=query.get("page") or "",
        )

    def query(self, **changes: Any) -> str:
        values = {
            "year": self.year,
            "rule": self.rule,
            "severity": self.severity,
            "triage": self.triage,
            "within": self.within or "",
            "page": self.page,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def without_page(self) -> Filters:
        return replace(self, page="")


def reports_of(scope: Agency, year: int) -> QuerySet[Report]:
    return Report.objects.current().filter(year=year, agency__path__startswith=scope.path)


def region_findings(scope: Agency, filters: Filters) -> QuerySet[StoredFinding]:
    """The findings of the region by the filters except the triage status."""
    findings = triage.findings_of(reports_of(scope, filters.year))
    if filters.within:
        findings = findings.filter(report__agency__path__contains=f"/{filters.within}/")
    if filters.rule:
        findings = findings.filter(rule=filters.rule)
    if filters.severity:
        findings = findings.filter(severity=filters.severity)
    return findings


def rows(scope: Agency, filters: Filters) -> QuerySet[StoredFinding]:
    """The findings to list, worst first, with their agency and report."""
    findings = region_findings(scope, filters)
    if filters.triage != "all":
        findings = findings.filter(triage.status_filter(filters.triage))
    return findings.annotate(
        agency_name=F("report__agency__name"), agency_pk=F("report__agency_id")
    ).order_by(_severity_rank(), "rule", "agency_name", "pk")


def _severity_rank() -> Case:
    return Case(
        *(When(severity=s, then=Value(n)) for s, n in SEVERITY_ORDER.items()),
        output_field=IntegerField(),
    )


@dataclass
class Summary:
    """How many findings of the filtered region are open, confirmed, dismissed; the
    open ones by rule and by severity."""

    by_triage: dict[str, int]
    by_rule: list[tuple[str, str, int]]
    by_severity: list[tuple[str, str, int]]
    agencies_with_open: int


def summary(scope: Agency, filters: Filters) -> Summary:
    """Three aggregate queries, whatever the size of the region."""
    findings = region_findings(scope, filters)
    by_triage = findings.aggregate(
        **{
            key: Count("pk", filter=triage.status_filter(key))
            for key in ("open", "confirmed", "dismissed")
        }
    )
    open_ = findings.filter(triage.status_filter("open"))
    grouped = list(open_.values("rule", "severity").annotate(n=Count("pk")).order_by())
    by_rule: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for row in grouped:
        by_rule[row["rule"]] = by_rule.get(row["rule"], 0) + row["n"]
        by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["n"]
    agencies = open_.values("report__agency_id").distinct().count()
    return Summary(
        by_triage=by_triage,
        by_rule=[
            (rule, RULE_TITLES.get(rule, ""), n)
            for rule, n in sorted(by_rule.items(), key=lambda item: _rule_number(item[0]))
        ],
        by_severity=[
            (s, SEVERITY_LABELS[s], by_severity[s]) for s in SEVERITY_ORDER if s in by_severity
        ],
        agencies_with_open=agencies,
    )


def _rule_number(rule_id: str) -> int:
    return int(rule_id[1:]) if rule_id[1:].isdigit() else 0


EXPORT_HEADER = ["机关", "规则", "级别", "问题", "状态", "标记理由"]


def export_rows(scope: Agency, filters: Filters) -> list[list[Any]]:
    """Every row of the filtered list (no paging) for the XLSX: one query for the
    findings and one for the reasons of their marks."""
    found = list(rows(scope, filters))
    reasons = {
        (m["report_id"], m["fingerprint"]): m["reason"]
        for m in triage.FindingMark.objects.filter(
            report__in=reports_of(scope, filters.year)
        ).values("report_id", "fingerprint", "reason")
    }
    result = []
    for f in found:
        t: Any = f
        reason = reasons.get((f.report_id, f.fingerprint), "") if t.triage != "open" else ""
        result.append(
            [
                t.agency_name,
                f"{f.rule} {RULE_TITLES.get(f.rule, '')}",
                f.severity_label,
                f.message,
                TRIAGE_LABELS[t.triage],
                reason,
            ]
        )
    return result
