"""The checks of a region (R21–R23) and the 通报 (circular) of a year's status.

``region_document`` reads what the region rules judge in a fixed handful of queries
(the roll-up's sums, the government's own report, the agencies without a report, the
few cells of each department that the ratios need), and ``reports.rules.check_region``
judges it. ``circular`` gathers what an oversight office sends its departments: late
and missing reports, reports with open errors, the ratios table and the region's
findings.

An office's 通报 speaks to the level beneath it: its own departments and the
governments of its sub-regions, each by its own report; what lies beneath a
sub-region is that sub-region's office's 通报. So its lists are bounded by one level of
the tree: a province's at 150,000 agencies listed every township's departments
before, 25 s and 1.9 GiB in one request (bench/oversight.py's database). The roll-up
it judges (R21) stays the whole region's stored sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string

from reports.models import Agency, Report, StoredFinding, regions, triage
from reports.models.states import COMPLETE
from reports.oversight import dashboard
from reports.oversight.rollup import figures_of
from reports.oversight.xlsx import sheets_workbook
from reports.printing import fonts
from reports.printing import pdf as printing_pdf
from reports.rules import Finding, check_region
from reports.rules.region import RATIOS, Spread, ratio_of, spreads
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.calendar import chinese_date, deadline_for


def _ratio_fields() -> list[schema.Cell]:
    """The stored cells the ratios are computed from (totals are sums of them)."""
    fields: dict[str, schema.Cell] = {}

    def add(c: schema.Cell) -> None:
        if not c.derived:
            fields[c.field] = c
            return
        for part in schema.SUM_OF[c.address].parts:  # a total of totals: down to stored
            add(part)

    for r in RATIOS:
        for address in (*r.numerator, *r.denominator):
            add(schema.CELL_BY_ADDRESS[address])
    return sorted(fields.values(), key=lambda c: c.field)


RATIO_FIELDS = _ratio_fields()


def region_document(scope: Agency, year: int) -> dict:
    """What R21–R23 judge of ``scope`` for ``year``: the roll-up of its whole subtree,
    and its own report, the agencies directly beneath it without a report and its
    departments' cells. Five queries."""
    reports = Report.objects.current().filter(year=year)
    rollup, _, count, _ = figures_of(regions.totals_of(scope, year))
    own = reports.filter(agency_id=scope.pk).select_related("agency").first()
    missing = list(
        Agency.objects.filter(parent=scope)
        .exclude(reports__year=year)
        .order_by("path")
        .values_list("name", flat=True)
    )
    departments = []
    rows = (
        reports.filter(agency__parent=scope, agency__is_government=False)
        .order_by("agency__path")
        .values("agency__name", *(c.field for c in RATIO_FIELDS))
    )
    for row in rows:
        figures = fig.empty()
        for c in RATIO_FIELDS:
            fig.put(figures, c, row[c.field])
        departments.append({"agency": row["agency__name"], "figures": fig.derive_totals(figures)})
    return {
        "agency": scope.name,
        "year": year,
        "government": own.document() if own is not None else None,
        "rollup": rollup,
        "reports": count,
        "missing": missing,
        "departments": departments,
    }


@dataclass
class RatioRow:
    agency: str
    values: dict[str, float | None]  # None: under the minimum count, not graded
    flagged: set[str]


@dataclass
class Circular:
    """A year's status of a region, as the 通报 lays it out."""

    scope: Agency
    year: int
    today: date
    total: int
    published: int
    late: list[dict]  # {"agency", "published_on" (or None), "days"}
    missing: list[str]
    with_errors: list[tuple[str, int]]  # agency, open error findings
    spreads: dict[str, Spread]
    ratios: list[RatioRow]
    findings: list[Finding]
    sub_regions: bool = False  # governments beneath: each sends its own 通报

    @property
    def title(self) -> str:
        return f"关于{self.year}年度政府信息公开工作年度报告发布情况的通报"

    @property
    def date_label(self) -> str:
        return chinese_date(self.today)


def circular(scope: Agency, year: int, today: date) -> Circular:
    """Everything the 通报 states, in a bounded number of queries."""
    region = region_document(scope, year)
    found = check_region(region)
    beneath = dashboard.base_rows(scope, year, today).filter(parent=scope)
    late_rows = (
        beneath.filter(lateness__in=("late", "overdue"))
        .order_by("path")
        .values("name", "published_on", "is_government")
    )
    late = []
    for row in late_rows:
        deadline = deadline_for(year, row["is_government"])
        day = row["published_on"]
        late.append(
            {
                "agency": row["name"],
                "published_on": chinese_date(day) if day else None,
                "days": ((day or today) - deadline).days,
            }
        )
    open_errors = (
        StoredFinding.objects.filter(
            report__in=Report.objects.current().filter(year=year, agency__parent=scope),
            severity="error",
        )
        .filter(triage.status_filter("open"))
        .values_list("report__agency__name", "report__agency__path")
    )
    errors: dict[str, tuple[str, int]] = {}
    for name, path in open_errors:
        _, n = errors.get(path, (name, 0))
        errors[path] = (name, n + 1)
    by_ratio = spreads(region["departments"])
    flagged: dict[str, set[str]] = {}
    for f in found:
        if f.rule == "R23":
            key = next(r.key for r in RATIOS if r.numerator[0] == f.cells[0])
            flagged.setdefault(f.agency, set()).add(key)
    ratios = []
    for d in region["departments"]:
        values = {r.key: ratio_of(d["figures"], r) for r in RATIOS}
        if any(v is not None for v in values.values()):
            ratios.append(RatioRow(d["agency"], values, flagged.get(d["agency"], set())))
    return Circular(
        scope=scope,
        year=year,
        today=today,
        total=beneath.count(),
        published=beneath.filter(status__in=COMPLETE).count(),
        late=late,
        missing=region["missing"],
        with_errors=[errors[p] for p in sorted(errors)],
        spreads=by_ratio,
        ratios=ratios,
        findings=[f for f in found if f.rule != "R22"],  # R22 is the list of missing
        sub_regions=beneath.filter(is_government=True).exists(),
    )


def ratio_label(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def circular_context(c: Circular) -> dict[str, Any]:
    return {
        "c": c,
        "ratio_heads": [r.label for r in RATIOS],
        "ratio_rows": [
            (row.agency, [(ratio_label(row.values[r.key]), r.key in row.flagged) for r in RATIOS])
            for row in c.ratios
        ],
        "spread_rows": [
            (
                r.label,
                s.graded,
                ratio_label(s.q1),
                ratio_label(s.median),
                ratio_label(s.q3),
            )
            for r in RATIOS
            if (s := c.spreads.get(r.key)) is not None
        ],
        "minimums": [(r.label, r.minimum) for r in RATIOS],
    }


# --- the 通报 as HTML, PDF and XLSX ---------------------------------------------------


def circular_html(c: Circular, pdf: bool = False) -> str:
    """The 通报 in the official layout of the printed report (GB/T 9704)."""
    css = printing_pdf.print_css()
    if pdf:
        css = fonts.font_face_css() + "\n" + css
    context = circular_context(c)
    context.update(
        css=css,
        title_lines=printing_pdf.title_lines(c.title),
        flagged_rows=[
            (agency, cells)
            for agency, cells in context["ratio_rows"]
            if any(flagged for _, flagged in cells)
        ],
    )
    return render_to_string("oversight/circular_print.html", context)


def circular_pdf(c: Circular) -> bytes:
    return printing_pdf.html_to_pdf(circular_html(c, pdf=True))


def circular_workbook(c: Circular) -> bytes:
    """The 通报's lists as sheets: late, missing, open errors, every department's
    ratios (the PDF lists only the flagged ones) and the region's other findings."""
    sheets = [
        (
            "逾期报告",
            ["机关", "发布日期", "逾期天数"],
            [[r["agency"], r["published_on"] or "尚未发布", r["days"]] for r in c.late],
        ),
        ("未填报", ["机关"], [[name] for name in c.missing]),
        ("未处理错误", ["机关", "未处理的错误（项）"], [list(row) for row in c.with_errors]),
        (
            "主要比率",
            ["机关", *(r.label for r in RATIOS), "明显偏离"],
            [
                [
                    row.agency,
                    *(row.values[r.key] for r in RATIOS),
                    "、".join(r.label for r in RATIOS if r.key in row.flagged),
                ]
                for row in c.ratios
            ],
        ),
        ("其他情况", ["规则", "机关", "情况"], [[f.rule, f.agency, f.message] for f in c.findings]),
    ]
    return sheets_workbook(sheets, percent_columns={"主要比率": range(2, 2 + len(RATIOS))})
