"""Charts as server-rendered SVG: geometry computed here, drawn by templates/oversight/
_hbar.svg and _columns.svg. No JavaScript, no CDN; they print and they work offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from reports.models import Agency, Report
from reports.models.report import new_received_total
from reports.oversight.rollup import YearFigures
from reports.spec import figures as fig
from reports.spec import schema

PALETTE = ("#2f6fb3", "#5aa469", "#e0a030", "#c0504d", "#8064a2", "#4bacc6", "#7f7f7f")


def nice_max(value: float) -> int:
    """A round upper bound for an axis: 1, 2, 5 × 10^n."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def tick_step(value: float, ticks: int = 4) -> int:
    """A whole, round step so that ``ticks`` steps reach ``value``: 1, 2, 2.5, 5 × 10^n
    (2.5 only from 25 up, so every tick label is a whole number)."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 25 * magnitude // 10, 5 * magnitude):
            if step >= 1 and step * ticks >= value and step == int(step):
                return int(step)
        magnitude *= 10


@dataclass
class Bar:
    label: str
    value: int
    colour: str = PALETTE[0]
    y: float = 0
    width: float = 0
    href: str = ""


@dataclass
class HBarChart:
    """Horizontal bars with their labels on the left: for agency names."""

    title: str
    bars: list[Bar]
    label_width: int = 260
    plot_width: int = 380
    bar_height: int = 18
    gap: int = 6
    top: int = 8

    def __post_init__(self) -> None:
        scale = nice_max(max((b.value for b in self.bars), default=0))
        for i, b in enumerate(self.bars):
            b.y = self.top + i * (self.bar_height + self.gap)
            b.width = round(self.plot_width * b.value / scale, 1)

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 60

    @property
    def height(self) -> int:
        return self.top * 2 + max(1, len(self.bars)) * (self.bar_height + self.gap)

    @property
    def text_dy(self) -> float:
        return self.bar_height * 0.72


@dataclass
class Segment:
    series: str
    value: int
    colour: str
    y: float = 0
    height: float = 0


@dataclass
class Column:
    label: str
    total: int
    segments: list[Segment] = field(default_factory=list)
    x: float = 0
    centre: float = 0
    top: float = 0


@dataclass
class Legend:
    label: str
    colour: str
    x: float
    y: float


LEGEND_WIDTH = 190


@dataclass
class StackedColumns:
    """Stacked columns (e.g. one per year, stacked by outcome) with a legend."""

    title: str
    series: list[str]
    columns: list[Column]
    plot_height: int = 220
    column_width: int = 56
    gap: int = 36
    left: int = 48
    top: int = 16
    legend_columns: int = 3  # one column keeps a narrow chart narrow (a phone's width)
    ticks: list[tuple[float, int]] = field(default_factory=list)
    legend: list[Legend] = field(default_factory=list)

    def __post_init__(self) -> None:
        step = tick_step(max((c.total for c in self.columns), default=0))
        scale = 4 * step
        base = self.top + self.plot_height
        for i, column in enumerate(self.columns):
            column.x = self.left + self.gap / 2 + i * (self.column_width + self.gap)
            column.centre = column.x + self.column_width / 2
            y: float = base
            for s in column.segments:
                s.height = round(self.plot_height * s.value / scale, 1)
                y -= s.height
                s.y = round(y, 1)
            column.top = y
        self.ticks = [(round(base - self.plot_height * k / 4, 1), step * k) for k in range(5)]
        across = self.legend_columns
        self.legend = [
            Legend(
                name,
                PALETTE[i % len(PALETTE)],
                self.left + (i % across) * LEGEND_WIDTH,
                base + 40 + (i // across) * 20,
            )
            for i, name in enumerate(self.series)
        ]

    @property
    def width(self) -> int:
        plot = len(self.columns) * (self.column_width + self.gap)
        return max(self.left + plot + 10, self.left + self.legend_columns * LEGEND_WIDTH)

    @property
    def height(self) -> int:
        rows = -(-len(self.series) // self.legend_columns)
        return self.top + self.plot_height + 50 + rows * 20

    @property
    def baseline(self) -> int:
        return self.top + self.plot_height


# --- the charts of the pages -------------------------------------------------------

# The outcome groups of the matrix, in the template's order: （一）, （二) and the groups.
OUTCOME_GROUPS: list[tuple[str, list[str]]] = []
for _row in schema.OUTCOME_ROWS:
    # The ungrouped rows carry their name in the label: （二）部分公开（区分处理的…）.
    _name = _row.group or _row.label.split("（区分")[0]
    if not OUTCOME_GROUPS or OUTCOME_GROUPS[-1][0] != _name:
        OUTCOME_GROUPS.append((_name, []))
    OUTCOME_GROUPS[-1][1].append(_row.key)


def _row_total_fields(row_key: str) -> list[str]:
    return [schema.cell("applications", row_key, c.key).field for c in schema.APPLICANT_COLUMNS]


def agency_outcomes_by_year(agency_id: int, last: int = 6) -> StackedColumns:
    """An agency's applications by outcome, one column per report year (one query)."""
    fields = [f for _, keys in OUTCOME_GROUPS for k in keys for f in _row_total_fields(k)]
    reports = (
        Report.objects.current()
        .filter(agency_id=agency_id)
        .order_by("-year")
        .values("year", *fields)[:last]
    )
    columns = []
    for values in reversed(list(reports)):
        totals = [
            sum(values[f] or 0 for k in keys for f in _row_total_fields(k))
            for _, keys in OUTCOME_GROUPS
        ]
        columns.append(_column(f"{values['year']}年", [name for name, _ in OUTCOME_GROUPS], totals))
    return StackedColumns(
        "依申请公开办理结果（逐年）", [name for name, _ in OUTCOME_GROUPS], columns
    )


def _column(label: str, series: list[str], values: list[int]) -> Column:
    segments = [
        Segment(name, value, PALETTE[i % len(PALETTE)])
        for i, (name, value) in enumerate(zip(series, values, strict=True))
    ]
    return Column(label, sum(values), segments)


# --- the 图解 of a region's published figures, a year beside the one before ------------

# Each chart: its title and its series, a series being the cells it adds up.
Series = list[tuple[str, list[schema.Cell]]]


def _applicant_series() -> Series:
    return [
        (c.label, [schema.cell("applications", "new_received", c.key)])
        for c in schema.APPLICANT_COLUMNS
    ]


def _outcome_series() -> Series:
    return [
        (name, [schema.cell("applications", k, "total") for k in keys])
        for name, keys in OUTCOME_GROUPS
    ]


def _review_series(*blocks: str) -> Series:
    outcomes = [o for o in schema.REVIEW_OUTCOMES if o.key in schema.REVIEW_PARTS]
    return [
        (o.label, [schema.cell("review_litigation", b, o.key) for b in blocks]) for o in outcomes
    ]


REGION_CHARTS: tuple[tuple[str, str, Series], ...] = (
    ("applicants", "本年新收政府信息公开申请（按申请人）", _applicant_series()),
    ("outcomes", "依申请公开办理结果", _outcome_series()),
    ("review", "行政复议", _review_series("review")),
    ("litigation", "行政诉讼", _review_series("litigation_direct", "litigation_after_review")),
)


def region_year_charts(years: list[YearFigures]) -> list[tuple[str, StackedColumns]]:
    """The 图解 of a region: one chart per REGION_CHARTS, a column per year (oldest
    first), stacked by series, drawn from the same figures as the tables (blank as 0)."""
    result = []
    for key, title, series in REGION_CHARTS:
        names = [name for name, _ in series]
        columns = [
            _column(
                f"{y.year}年",
                names,
                [sum(int(fig.get(y.figures, c) or 0) for c in cells) for _, cells in series],
            )
            for y in years
        ]
        result.append((key, StackedColumns(title, names, columns, legend_columns=1)))
    return result


# Up to this many agencies, a region's chart reads the reports of its agencies by id;
# a larger region's walks the index of new applications (``report_new_received``)
# until enough of the region's are found. Walking it for a small region reads most of
# the year's reports of the database: 30 agencies among 150,000 took 240 ms, by id 1 ms.
CHART_BY_ID = 2000


def region_by_agency(scope_path: str, year: int, limit: int = 15) -> HBarChart:
    """The agencies of a region with the most new applications in the year (two
    queries: the region's agencies, up to ``CHART_BY_ID``, then the reports)."""
    agencies = Agency.objects.filter(path__startswith=scope_path).values_list("pk", flat=True)
    ids = list(agencies[: CHART_BY_ID + 1])
    reports = Report.objects.current().filter(year=year)
    if len(ids) <= CHART_BY_ID:
        reports = reports.filter(agency_id__in=ids)
    else:
        reports = reports.filter(agency__path__startswith=scope_path)
    rows = (
        reports.annotate(received=new_received_total())
        .filter(received__gt=0)
        .order_by("-received", "agency__path")
        .values("agency__name", "received", "pk")[:limit]
    )
    bars = [
        Bar(r["agency__name"], r["received"], href=reverse("reports:detail", args=[r["pk"]]))
        for r in rows
    ]
    return HBarChart(f"本年新收政府信息公开申请数量（前{limit}名）", bars)


STATUS_COLOURS = {
    "not_started": "#adb5bd",
    "revising": "#20c997",
    "draft": "#6c757d",
    "submitted": "#0d6efd",
    "returned": "#dc3545",
    "approved": "#6f42c1",
    "published": "#198754",
}


def status_distribution(statuses: list[tuple[str, str, int]]) -> HBarChart:
    bars = [
        Bar(label, count, STATUS_COLOURS.get(key, PALETTE[0])) for key, label, count in statuses
    ]
    return HBarChart("报告状态分布", bars, label_width=90, plot_width=300)
