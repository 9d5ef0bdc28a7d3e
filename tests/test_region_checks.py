"""R21–R23, the checks of a region: a government's stated region-wide figures against
the roll-up of its subtree, departments without a report, ratios among peers."""

import pytest

from reports.io.imports import import_document
from reports.oversight.region import region_document
from reports.rules import check_region
from reports.rules.region import spreads
from reports.spec import figures as fig
from reports.spec import schema
from tests.helpers import complete_doc, import_seed, load_seed


def government_report(statement: str):
    """宁波市镇海区人民政府's own 2023 report: seed 000's zero figures, with a sentence
    about the whole district in 一."""
    raw = complete_doc(load_seed(0))
    raw["agency"] = "宁波市镇海区人民政府"
    raw["title"] = ""
    raw["sections"]["general"][1]["body"] = statement
    report, _ = import_document(raw)
    return report


@pytest.fixture
def district(agencies):
    """The district with the office's seed 001 (52 received, 0 carried over) and the
    finance centre's seed 000 (all zero); the government's own report added per test."""
    import_seed(1, complete=True)
    import_seed(0, complete=True)
    return agencies["zhenhai"]


def region_findings(scope, rule_id: str):
    return [f for f in check_region(region_document(scope, 2023)) if f.rule == rule_id]


def test_r21_is_silent_when_the_government_states_the_rollup(district):
    # 52 (office) + 0 (finance centre) + 0 (the government itself), from the seeds' JSON.
    government_report("全区共收到政府信息公开申请52件，已办结50件。")
    assert region_findings(district, "R21") == []


def test_r21_flags_a_region_wide_figure_that_is_not_the_rollup(district):
    government_report("全区共收到政府信息公开申请60件，已办结50件。")
    (finding,) = region_findings(district, "R21")
    assert finding.severity == "warning" and finding.agency == "宁波市镇海区人民政府"
    assert finding.cells == (("applications", "new_received", "total"),)
    assert (
        "60件" in finding.message
        and "3份报告汇总" in finding.message
        and "为52件" in finding.message
    )


def test_r21_does_not_read_the_governments_own_figures_as_region_wide(district):
    government_report("本机关共收到政府信息公开申请60件。")  # no 全区: its own figure (R8's)
    assert region_findings(district, "R21") == []


def test_r22_lists_each_department_without_a_report(agencies):
    import_seed(1, complete=True)  # the office reports; the finance centre does not
    (finding,) = region_findings(agencies["zhenhai"], "R22")
    assert finding.agency == "宁波市镇海区金融发展服务中心"
    assert "尚未在系统中填报2023年度报告" in finding.message


# --- R23 on hand-worked departments --------------------------------------------------


def department(name: str, granted: int, handled: int) -> dict:
    figures = fig.empty()
    for c in schema.STORED_CELLS:
        fig.put(figures, c, 0)
    fig.put(figures, schema.cell("applications", "granted", "natural_person"), granted)
    fig.put(
        figures,
        schema.cell("applications", "unable_not_held", "natural_person"),
        handled - granted,
    )
    fig.put(figures, schema.cell("applications", "new_received", "natural_person"), handled)
    return {"agency": name, "figures": fig.derive_totals(figures)}


def test_r23_flags_a_disclosure_rate_far_below_its_peers_quartiles():
    # 实质公开率 5/10 ×4, 6/10 ×3 and one 1/10: quartiles 50%, 50%, 60%; Tukey's lower
    # fence 50% − 1.5 × 10% = 35%, and 10% is 40 points from the median.
    peers = [department(f"部门{i}", 5, 10) for i in range(4)]
    peers += [department(f"部门{i}", 6, 10) for i in range(4, 7)]
    peers.append(department("公开偏低局", 1, 10))
    spread = spreads(peers)["disclosed"]
    assert (spread.q1, spread.median, spread.q3) == pytest.approx((0.5, 0.5, 0.6))
    findings = [f for f in check_region({"departments": peers}) if f.rule == "R23"]
    assert [(f.agency, f.severity) for f in findings] == [("公开偏低局", "info")]
    assert "实质公开率为10%" in findings[0].message


def test_r23_does_not_grade_a_department_under_the_minimum_count():
    peers = [department(f"部门{i}", 5, 10) for i in range(8)]
    peers.append(department("小机关", 0, 9))  # 9 applications: not graded
    assert [f for f in check_region({"departments": peers}) if f.rule == "R23"] == []


def test_r23_compares_nothing_among_too_few_graded_departments():
    peers = [department(f"部门{i}", 5, 10) for i in range(6)]
    peers.append(department("公开偏低局", 1, 10))  # 7 graded: quartiles say nothing
    assert spreads(peers) == {}
    assert check_region({"departments": peers}) == []
