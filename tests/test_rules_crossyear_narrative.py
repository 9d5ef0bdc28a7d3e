"""Rules R7–R13: against last year's report, the narrative, fees and the calendar."""

import copy
from datetime import date

import pytest

from reports import rules
from reports.io import codec
from reports.rules.crossyear import repeated_share
from reports.rules.narrative import chinese_to_int
from tests.helpers import complete_doc, import_seed, load_seed
from tests.seed_text import seed_sections, with_seed_narrative


def doc_of(raw: dict) -> dict:
    parsed = codec.parse(raw)
    assert parsed.ok, parsed.errors
    return parsed.doc


def found(doc: dict, rule_id: str, previous: dict | None = None) -> list[rules.Finding]:
    return [f for f in rules.check(doc, rules.Context(previous=previous)) if f.rule == rule_id]


def seed_doc(index: int = 1) -> dict:
    return doc_of(with_seed_narrative(load_seed(index), index))


def next_year(doc: dict) -> dict:
    """Last year's document as the starting point of a consistent new one."""
    new = copy.deepcopy(doc)
    new["year"] = doc["year"] + 1
    for col, value in doc["applications"]["carried_forward"].items():
        new["applications"]["carried_over"][col] = value
    return new


# --- the seeds, with their own published narrative -----------------------------------


@pytest.mark.parametrize("index", range(5))
def test_every_seed_narrative_agrees_with_its_tables_and_states_the_fee(index):
    doc = seed_doc(index)
    ids = {f.rule for f in rules.check(doc)}
    assert not ids & {"R8", "R9", "R10"}


def test_seed_001_narrative_counts_are_actually_read_and_compared():
    doc = seed_doc(1)
    doc["applications"]["new_received"]["natural_person"] = 37
    doc["applications"]["new_received"]["total"] = 53
    (finding,) = found(doc, "R8")
    assert "受理依申请公开52件" in finding.message and "53" in finding.message
    assert finding.cells == (("applications", "new_received", "total"),)
    assert finding.severity == "warning"


def test_seed_001_stated_normative_documents_are_compared_with_issued():
    doc = seed_doc(1)
    doc["active_disclosure"]["normative_documents"]["issued"] = 8
    (finding,) = found(doc, "R8")
    assert finding.cells == (("active_disclosure", "normative_documents", "issued"),)
    assert "9件" in finding.message


# --- R8 on crafted narratives ------------------------------------------------------


@pytest.mark.parametrize(
    "numeral,value",
    [
        ("五十二", 52),
        ("十二", 12),
        ("一百零五", 105),
        ("两千三百", 2300),
        ("三万", 30000),
        ("零", 0),
        ("一千零一十", 1010),
        ("52", 52),
        ("五二", None),
        ("万", None),
    ],
)
def test_chinese_numerals_are_read(numeral, value):
    assert chinese_to_int(numeral) == value


def _with_general(doc: dict, text: str) -> dict:
    doc = copy.deepcopy(doc)
    doc["sections"]["general"] = [{"heading": "（二）依申请公开情况", "body": text}]
    return doc


def test_r8_reads_counts_written_in_chinese_numerals_and_full_width_digits():
    base = seed_doc(1)
    assert found(_with_general(base, "受理依申请公开五十二件，已办结五十件。"), "R8") == []
    assert found(_with_general(base, "受理依申请公开 ５２ 件，已办结５０件。"), "R8") == []
    (finding,) = found(_with_general(base, "全年共收到政府信息公开申请五十三件。"), "R8")
    assert "53件" in finding.message and "为52" in finding.message


def test_r8_compares_handled_carried_forward_and_granted_counts():
    base = seed_doc(1)
    text = "已办结51件，3件结转下年度继续办理，其中21件予以公开。"
    messages = [f.message for f in found(_with_general(base, text), "R8")]
    assert len(messages) == 3
    assert any("已办结" in m and "51" in m for m in messages)
    assert any("结转下年度" in m and "3件" in m for m in messages)
    assert any("予以公开" in m and "21" in m for m in messages)


def test_r8_compares_review_and_litigation_counts():
    base = seed_doc(1)
    base["review_litigation"]["litigation_direct"].update(upheld=1, total=1)
    base["review_litigation"]["litigation_after_review"].update(corrected=1, total=1)
    ok = _with_general(base, "本年度被申请行政复议0件，提起行政诉讼2件。")
    assert found(ok, "R8") == []
    bad = _with_general(base, "本年度被申请行政复议1件，提起行政诉讼1起。")
    cells = [f.cells[0] for f in found(bad, "R8")]
    assert ("review_litigation", "review", "total") in cells
    assert ("review_litigation", "litigation_direct", "total") in cells


def test_r8_does_not_read_unrelated_counts():
    base = seed_doc(1)
    text = (
        "主动公开政府信息319条，举办新闻发布会1次，承办人大议案和政协提案21件。"
        "受理行政复议申请0件，收到信访举报申请7件。"
    )
    assert found(_with_general(base, text), "R8") == []


# --- R9 and R10 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "本年度无其他需要报告的事项。", "本机关认真办理人大代表建议5件。"],
)
def test_r9_warns_when_section_six_does_not_state_the_processing_fee(text):
    doc = seed_doc(1)
    doc["sections"]["other_matters"] = text
    (finding,) = found(doc, "R9")
    assert finding.section == "other_matters" and "信息处理费" in finding.message


@pytest.mark.parametrize(
    "text",
    ["本年度收取信息处理费1200元。", "本年度共收取信息处理费0.12万元。", "未收取信息处理费。"],
)
def test_r9_accepts_an_amount_or_an_explicit_nil_statement(text):
    doc = seed_doc(1)
    doc["sections"]["other_matters"] = text
    assert found(doc, "R9") == []


def test_r10_asks_for_fee_notices_when_applications_lapsed_for_unpaid_fees():
    doc = seed_doc(1)
    apps = doc["applications"]
    apps["other_unpaid_fee"].update(natural_person=1, total=1)
    doc["sections"]["other_matters"] = "本年度未收取信息处理费。"
    (finding,) = found(doc, "R10")
    assert finding.cells == (("applications", "other_unpaid_fee", "total"),)
    doc["sections"]["other_matters"] = "本年度发出收费通知1份，申请人逾期未缴纳，未收取信息处理费。"
    assert found(doc, "R10") == []


def test_r10_is_silent_without_lapsed_fee_applications():
    doc = seed_doc(1)
    assert doc["applications"]["other_unpaid_fee"]["total"] == 0
    doc["sections"]["other_matters"] = "未收取信息处理费。"
    assert found(doc, "R10") == []


# --- R7 and R11 ------------------------------------------------------------------


def test_r7_compares_carried_over_with_last_years_carried_forward_per_column():
    last = doc_of(complete_doc(load_seed(1)))
    this = next_year(last)
    assert found(this, "R7", previous=last) == []
    this["applications"]["carried_over"]["natural_person"] = 1
    (finding,) = found(this, "R7", previous=last)
    assert finding.cells == (("applications", "carried_over", "natural_person"),)
    assert "2023年度报告" in finding.message and "为1" in finding.message
    assert found(this, "R7") == []  # no previous report known: nothing to compare


def test_r11_expects_in_force_to_follow_last_year_issued_and_repealed():
    last = doc_of(complete_doc(load_seed(1)))  # normative documents: 9 issued, 20 repealed, 116
    this = next_year(last)
    this["active_disclosure"]["normative_documents"] = {"issued": 5, "repealed": 1, "in_force": 120}
    assert found(this, "R11", previous=last) == []
    this["active_disclosure"]["normative_documents"]["in_force"] = 130
    (finding,) = found(this, "R11", previous=last)
    assert finding.severity == "info"
    assert "应为120件" in finding.message
    assert finding.cells == (("active_disclosure", "normative_documents", "in_force"),)


# --- R12 --------------------------------------------------------------------------


def test_r12_flags_sections_one_and_five_copied_from_last_year_with_only_the_year_changed():
    last = seed_doc(1)
    this = next_year(last)
    for s in this["sections"]["general"]:
        s["body"] = s["body"].replace("2023", "2024")
    this["sections"]["problems"] = this["sections"]["problems"].replace("2023", "2024")
    findings = found(this, "R12", previous=last)
    assert [f.section for f in findings] == ["general", "problems"]
    assert "100%" in findings[0].message


def test_r12_accepts_a_report_written_anew():
    last = seed_doc(1)
    this = next_year(last)
    other = seed_sections(3)
    this["sections"]["general"] = [{"heading": "（一）总体情况", "body": other["general"]}]
    this["sections"]["problems"] = other["problems"]
    assert found(this, "R12", previous=last) == []


def test_repeated_share_counts_only_sentences_of_last_year_that_reappear():
    before = "今年共公开信息三百条。加强培训提高业务水平。完善制度建设持续推进。"
    half = "今年共公开信息五百条。加强培训提高业务水平。新的问题在于平台老旧。"
    assert repeated_share(half, before) == pytest.approx(2 / 3, abs=0.05)
    assert repeated_share("全新的内容写在这里。", before) == 0


# --- R13 --------------------------------------------------------------------------


def test_r13_flags_a_department_report_published_after_31_january():
    doc = seed_doc(1)
    doc["published_on"] = date(2024, 1, 31)
    assert found(doc, "R13") == []
    doc["published_on"] = date(2024, 2, 10)
    (finding,) = found(doc, "R13")
    assert finding.severity == "info" and "10天" in finding.message


def test_r13_gives_a_government_wide_report_until_31_march():
    doc = seed_doc(1)
    doc["is_government"] = True
    doc["published_on"] = date(2024, 3, 31)
    assert found(doc, "R13") == []
    doc["published_on"] = date(2024, 4, 1)
    assert len(found(doc, "R13")) == 1


# --- through the model ---------------------------------------------------------------


def test_a_saved_report_is_checked_against_the_same_agencys_previous_year(
    agencies, django_assert_max_num_queries
):
    last = import_seed(1, complete=True)
    raw = complete_doc(load_seed(1))
    raw["year"] = 2024
    raw["title"] = ""
    raw["applications"]["carried_over"]["natural_person"] = 5
    raw["applications"]["carried_over"]["total"] = 5
    raw["applications"]["carried_forward"]["natural_person"] = 7
    raw["applications"]["carried_forward"]["total"] = 7
    from reports.io.imports import import_document

    this, _ = import_document(raw)
    this.published_on = date(2025, 2, 3)
    this.save()
    with django_assert_max_num_queries(4):
        findings = this.findings()
    ids = [f.rule for f in findings]
    assert "R7" in ids and "R12" in ids and "R13" in ids
    assert not {f.rule for f in last.findings()} & {"R7", "R11", "R12"}
