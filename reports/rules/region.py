"""R21–R23: the checks of a region, for its oversight office.

They judge a *region document* rather than one report, built by
``reports.oversight.region`` from the database and passed in whole, so that the rules
stay pure:

    {"agency": "宁波市镇海区人民政府", "year": 2023,
     "government": <the document of the government's own report, or None>,
     "rollup": <the figures summed over the subtree>, "reports": 31,
     "missing": ["宁波市镇海区统计局", ...],
     "departments": [{"agency": "...", "figures": <figures>}, ...]}

R21 holds the region-wide figures a government's report states (全区共收到…申请N件)
against the roll-up of its subtree; R22 lists the departments without a report; R23
places each department's key ratios among its peers' quartiles.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

from reports.rules.narrative import narrative_text, normalise, stated_counts
from reports.rules.registry import Context, Finding, rule
from reports.spec import figures as fig
from reports.spec import schema

APP = "applications"
RL = "review_litigation"

# --- R21: the government's region-wide figures ------------------------------------

REGION_WORDS = re.compile(r"全(?:区|市|县|省|州|旗|盟)|各部门|各单位")


def region_statements(text: str) -> list[str]:
    """The sentences of ``text`` that speak for the whole region."""
    return [s for s in re.split(r"[。；;！？!?\n]", normalise(text)) if REGION_WORDS.search(s)]


@rule("R21", "warning", "政府年报所述全区数据与汇总一致", scope="region")
def government_figures_match_rollup(region: dict, context: Context) -> Iterator[Finding]:
    government, rollup = region.get("government"), region.get("rollup")
    if not government or not rollup:
        return
    seen: set[tuple[str, int]] = set()
    for sentence in region_statements(narrative_text(government)):
        for claim, number, phrase in stated_counts(sentence):
            values = [_sum(rollup, (a,)) for a in claim.cells]
            candidates = [sum(values)] if claim.summed else list(values)
            candidates += [_sum(rollup, cells) for cells in claim.also]
            if number in candidates or (claim.what, number) in seen:
                continue
            seen.add((claim.what, number))
            shown = "、".join(str(v) for v in values)
            yield Finding(
                "R21",
                "warning",
                f"{government.get('agency', '政府')}年度报告称“{phrase}”，但本区域"
                f"{region.get('reports', 0)}份报告汇总的{claim.what}为{shown}件。",
                cells=claim.cells,
                agency=government.get("agency", ""),
            )


# --- R22: departments without a report ---------------------------------------------


@rule("R22", "warning", "下级机关应提交年度报告", scope="region")
def every_department_reports(region: dict, context: Context) -> Iterator[Finding]:
    for name in region.get("missing") or []:
        yield Finding(
            "R22",
            "warning",
            f"{name}尚未在系统中填报{region.get('year')}年度报告。",
            agency=name,
        )


# --- R23: ratios among peers ------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    key: str
    label: str
    numerator: tuple[tuple[str, str, str | None], ...]
    denominator: tuple[tuple[str, str, str | None], ...]
    minimum: int  # below this denominator a ratio says nothing and is not graded


RATIOS = (
    Ratio(
        "disclosed",
        "实质公开率",
        ((APP, "granted", "total"), (APP, "partially_granted", "total")),
        ((APP, "handled_total", "total"),),
        10,
    ),
    Ratio(
        "corrected",
        "复议纠错率",
        ((RL, "review", "corrected"),),
        ((RL, "review", "total"),),
        5,
    ),
    Ratio(
        "carried",
        "结转率",
        ((APP, "carried_forward", "total"),),
        ((APP, "new_received", "total"), (APP, "carried_over", "total")),
        10,
    ),
)
# Quartiles of fewer graded departments than this describe nobody.
MIN_PEERS = 8
# Tukey's fences; a ratio is also only "far" when it is this far from the median, so
# that a region where nearly every department discloses 100% does not flag 95%.
FENCE = 1.5
MIN_DISTANCE = 0.15


def _sum(figures: dict, cells: tuple[tuple[str, str, str | None], ...]) -> int:
    return sum(int(fig.get(figures, schema.CELL_BY_ADDRESS[a]) or 0) for a in cells)


def ratio_of(figures: dict, r: Ratio) -> float | None:
    """The ratio, or None when its denominator is under the minimum count."""
    below = _sum(figures, r.denominator)
    if below < r.minimum:
        return None
    return _sum(figures, r.numerator) / below


@dataclass(frozen=True)
class Spread:
    """The quartiles of one ratio among the graded departments of a region."""

    ratio: Ratio
    graded: int
    q1: float
    median: float
    q3: float

    @property
    def low(self) -> float:
        return self.q1 - FENCE * (self.q3 - self.q1)

    @property
    def high(self) -> float:
        return self.q3 + FENCE * (self.q3 - self.q1)

    def far(self, value: float) -> bool:
        outside = value < self.low or value > self.high
        return outside and abs(value - self.median) >= MIN_DISTANCE


def spreads(departments: list[dict]) -> dict[str, Spread]:
    """Each ratio's quartiles, for the ratios with enough graded departments."""
    result = {}
    for r in RATIOS:
        values = [v for d in departments if (v := ratio_of(d["figures"], r)) is not None]
        if len(values) < MIN_PEERS:
            continue
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        result[r.key] = Spread(r, len(values), q1, median, q3)
    return result


@rule("R23", "info", "关键比率处于同级机关正常范围", scope="region")
def ratios_among_peers(region: dict, context: Context) -> Iterator[Finding]:
    departments = region.get("departments") or []
    by_ratio = spreads(departments)
    for d in departments:
        for s in by_ratio.values():
            value = ratio_of(d["figures"], s.ratio)
            if value is None or not s.far(value):
                continue
            yield Finding(
                "R23",
                "info",
                f"{d['agency']}{s.ratio.label}为{value:.0%}，明显偏离本区域{s.graded}个部门的"
                f"四分位区间（{s.q1:.0%}–{s.q3:.0%}，中位数{s.median:.0%}），请核实。",
                cells=(s.ratio.numerator[0],),
                agency=d["agency"],
            )
