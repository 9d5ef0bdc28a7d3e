"""The rules engine on the five seeds and on crafted violations."""

import copy

import pytest

from reports import rules
from reports.io import codec
from reports.spec import figures as fig
from reports.spec import schema
from tests.helpers import complete_doc, load_seed, seed_paths


def doc_of(raw: dict) -> dict:
    parsed = codec.parse(raw)
    assert parsed.ok, parsed.errors
    return parsed.doc


def rule_ids(findings) -> set[str]:
    return {f.rule for f in findings}


@pytest.mark.parametrize("index", range(5))
def test_every_seed_passes_r1_to_r4(index):
    findings = rules.check(doc_of(load_seed(index)))
    assert not rule_ids(findings) & {"R1", "R2", "R3", "R4"}


def test_there_are_five_seeds():
    assert len(seed_paths()) == 5


@pytest.mark.parametrize("index", [0, 1, 3, 4])
def test_a_complete_seed_has_no_findings_at_all(index):
    assert rules.check(doc_of(complete_doc(load_seed(index)))) == []


def test_seed_002_blank_review_cells_are_r5_errors():
    findings = rules.check(doc_of(complete_doc(load_seed(2))))
    assert rule_ids(findings) == {"R5"}
    (finding,) = findings
    assert finding.severity == "error"
    assert ("review_litigation", "review", "upheld") in finding.cells
    assert "表四 行政复议 · 结果维持" in finding.message


def test_r1_names_the_unbalanced_column_and_the_difference():
    raw = complete_doc(load_seed(1))
    raw["applications"]["carried_forward"]["natural_person"] = 3
    raw["applications"]["carried_forward"]["total"] = 3
    findings = [f for f in rules.check(doc_of(raw)) if f.rule == "R1"]
    assert len(findings) == 2  # 自然人 and 总计
    first = findings[0]
    assert "自然人" in first.message and "相差1" in first.message
    assert ("applications", "carried_forward", "natural_person") in first.cells
    assert first.severity == "error"


def test_r2_catches_a_declared_row_total_that_disagrees():
    raw = complete_doc(load_seed(1))
    raw["applications"]["new_received"]["total"] = 53
    (finding,) = [f for f in rules.check(doc_of(raw)) if f.rule == "R2"]
    assert finding.cells == (("applications", "new_received", "total"),)
    assert "为53" in finding.message and "52" in finding.message


def test_r3_catches_a_handled_total_that_disagrees_with_the_outcomes():
    raw = complete_doc(load_seed(1))
    raw["applications"]["handled_total"]["commercial"] = 15
    found = [f for f in rules.check(doc_of(raw)) if f.rule == "R3"]
    assert [f.cells for f in found] == [(("applications", "handled_total", "commercial"),)]


def test_r4_catches_a_review_total_that_disagrees():
    raw = complete_doc(load_seed(1))
    raw["review_litigation"]["litigation_direct"]["upheld"] = 1
    found = [f for f in rules.check(doc_of(raw)) if f.rule == "R4"]
    assert found[0].cells == (("review_litigation", "litigation_direct", "total"),)
    assert "未经复议直接起诉" in found[0].message


def test_r5_lists_few_blank_cells_by_name_and_many_by_count():
    raw = complete_doc(load_seed(1))
    raw["applications"]["granted"]["research"] = None
    (finding,) = [f for f in rules.check(doc_of(raw)) if f.rule == "R5"]
    assert finding.message.startswith("表三有空白单元格：表三 （一）予以公开 · 科研机构。")

    empty = codec.to_json({**fig.empty(), "agency": "某局", "year": 2024, "title": "t"})
    findings = [f for f in rules.check(doc_of(empty)) if f.rule == "R5"]
    assert len(findings) == 3
    assert "等144个单元格" in findings[1].message
    assert len(findings[1].cells) == 144


def test_r6_requires_sections_one_and_five():
    raw = complete_doc(load_seed(1))
    raw["sections"]["problems"] = "  "
    raw["sections"]["general"] = [{"heading": "（一）主动公开情况", "body": ""}]
    found = [f for f in rules.check(doc_of(raw)) if f.rule == "R6"]
    assert [f.section for f in found] == ["general", "problems"]


def test_r6_checks_headings_found_in_published_text():
    doc = doc_of(complete_doc(load_seed(1)))
    doc["headings"] = [s.heading for s in schema.SECTIONS]
    assert rules.check(doc) == []
    doc["headings"][3] = "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"
    (finding,) = rules.check(doc)
    assert finding.rule == "R6" and finding.section == "review_litigation"


def test_findings_are_sorted_errors_first_and_serialise_with_cell_labels():
    raw = complete_doc(load_seed(1))
    raw["applications"]["new_received"]["total"] = 1
    raw["sections"]["problems"] = ""
    findings = rules.check(doc_of(raw))
    assert [f.rule for f in findings] == ["R1", "R2", "R6"]
    data = findings[1].as_dict()
    assert data["cells"][0]["label"] == "表三 一、本年新收政府信息公开申请数量 · 总计"


def test_a_saved_report_never_breaks_r2_to_r4_because_totals_are_derived(agencies):
    from tests.helpers import import_seed

    report = import_seed(1, complete=True)
    report.app_granted_natural_person = 99
    report.save()
    ids = rule_ids(report.findings())
    assert "R1" in ids
    assert not ids & {"R2", "R3", "R4"}


def test_rules_do_not_modify_the_document():
    doc = doc_of(complete_doc(load_seed(1)))
    before = copy.deepcopy(doc)
    rules.check(doc)
    assert doc == before
