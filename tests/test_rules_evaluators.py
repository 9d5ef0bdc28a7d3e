"""R14–R20 and R8's reading of real sentences: what third-party evaluators fault.

Precision as much as recall: every rule is silent on the five seeds as published (their
figures from the JSON, their narrative read from the published text, the other seeds as
peers) and fires on an edited copy of a seed made to break it.
"""

import copy

import pytest

from reports import rules
from reports.io import codec
from tests.seed_text import seed_doc

NEW_RULES = ("R14", "R15", "R16", "R17", "R18", "R19", "R20")


def published(index: int) -> dict:
    parsed = codec.parse(seed_doc(index))
    assert parsed.ok, parsed.errors
    return parsed.doc


@pytest.fixture(scope="module")
def seeds() -> list[dict]:
    return [published(i) for i in range(5)]


def found(doc: dict, rule_id: str, previous=None, peers=()) -> list[rules.Finding]:
    context = rules.Context(previous=previous, peers=tuple(peers))
    return [f for f in rules.check(doc, context) if f.rule == rule_id]


def as_last_year(doc: dict) -> dict:
    earlier = copy.deepcopy(doc)
    earlier["year"] = doc["year"] - 1
    return earlier


def test_every_new_rule_is_registered_with_an_id_a_severity_and_a_chinese_title():
    registered = {r.id: r for r in rules.RULES}
    for rule_id in NEW_RULES:
        r = registered[rule_id]
        assert r.severity in rules.SEVERITY_LABELS
        assert all("\u4e00" <= ch <= "\u9fff" or ch in "、“”" for ch in r.title)
    assert registered["R15"].severity == "info"  # a jump may be real: advice only


@pytest.mark.parametrize("index", range(5))
def test_the_new_rules_are_silent_on_each_seed_as_published_with_the_others_as_peers(seeds, index):
    doc = seeds[index]
    peers = [d for i, d in enumerate(seeds) if i != index]
    ids = {f.rule for f in rules.check(doc, rules.Context(peers=tuple(peers)))}
    assert not ids & {*NEW_RULES, "R8"}


# --- R14: frozen figures ------------------------------------------------------------


def test_r14_flags_tables_identical_to_last_years(seeds):
    doc = seeds[1]  # 52 applications, 9 normative documents: many non-zero cells
    (finding,) = found(doc, "R14", previous=as_last_year(doc))
    assert finding.severity == "warning" and "2022年度报告完全相同" in finding.message
    assert ("applications", "new_received", "natural_person") in finding.cells


def test_r14_is_silent_when_one_figure_changed(seeds):
    doc = copy.deepcopy(seeds[1])
    doc["active_disclosure"]["licensing"] = 1
    assert found(doc, "R14", previous=as_last_year(seeds[1])) == []


@pytest.mark.parametrize("index", [0, 2, 3, 4])
def test_r14_does_not_flag_an_agency_that_truthfully_reports_zeros_every_year(seeds, index):
    doc = seeds[index]
    assert found(doc, "R14", previous=as_last_year(doc)) == []


# --- R15: jumps -----------------------------------------------------------------------


def test_r15_flags_a_figure_more_than_five_times_last_years(seeds):
    doc = copy.deepcopy(seeds[1])
    doc["applications"]["new_received"].update(natural_person=300, total=316)  # 52 before
    (finding,) = found(doc, "R15", previous=as_last_year(seeds[1]))
    assert finding.severity == "info"
    assert finding.cells == (("applications", "new_received", "total"),)
    assert "为316" in finding.message and "2022年度为52" in finding.message


def test_r15_flags_a_figure_under_a_fifth_of_last_years(seeds):
    doc = copy.deepcopy(seeds[1])
    doc["active_disclosure"]["normative_documents"]["in_force"] = 20  # 116 before
    cells = [f.cells for f in found(doc, "R15", previous=as_last_year(seeds[1]))]
    assert cells == [(("active_disclosure", "normative_documents", "in_force"),)]


def test_r15_ignores_small_counts_below_the_floor(seeds):
    doc = copy.deepcopy(seeds[1])
    doc["applications"]["carried_forward"].update(natural_person=11, total=11)  # 2 before
    doc["active_disclosure"]["normative_documents"]["issued"] = 1  # 9 before
    assert found(doc, "R15", previous=as_last_year(seeds[1])) == []


# --- R16: copied from another agency ----------------------------------------------


def copied_as(doc: dict, agency: str) -> dict:
    """Another agency's report made by replacing the name in this one's text."""
    copy_ = copy.deepcopy(doc)
    copy_["agency"] = agency
    for sub in copy_["sections"]["general"]:
        sub["body"] = (sub["body"] or "").replace(doc["agency"], agency)
    copy_["sections"]["problems"] = copy_["sections"]["problems"].replace(doc["agency"], agency)
    return copy_


def test_r16_flags_a_narrative_copied_from_another_agency_of_the_same_year(seeds):
    copied = copied_as(seeds[1], "宁波市镇海区科学技术局")
    (finding,) = found(copied, "R16", peers=[seeds[0], seeds[1]])
    assert finding.severity == "warning" and finding.section == "general"
    assert "宁波市镇海区人民政府办公室2023年度报告相同" in finding.message


def test_r16_reads_the_short_forms_of_a_name_alike(seeds):
    doc = copy.deepcopy(seeds[0])  # 区金融发展服务中心 writes its name short
    copied = copied_as(doc, "宁波市镇海区投资促进中心")
    for sub in copied["sections"]["general"]:
        sub["body"] = sub["body"].replace("区金融发展服务中心", "区投资促进中心")
    copied["sections"]["problems"] = doc["sections"]["problems"].replace(
        "区金融发展服务中心", "区投资促进中心"
    )
    assert [f.rule for f in found(copied, "R16", peers=[seeds[0]])] == ["R16"]


def test_r16_does_not_count_the_legal_basis_and_headings_as_copied(seeds):
    boilerplate = "认真贯彻落实《中华人民共和国政府信息公开条例》，坚持公开为常态、不公开为例外。"
    one, other = copy.deepcopy(seeds[1]), copy.deepcopy(seeds[3])
    for doc in (one, other):
        doc["sections"]["general"].insert(0, {"heading": "（一）主动公开情况", "body": boilerplate})
    assert found(one, "R16", peers=[other]) == []


# --- R17: section 五 that says nothing ----------------------------------------------


@pytest.mark.parametrize("text", ["无。", "暂无。", "本年度工作中未发现明显问题，特此说明。"])
def test_r17_flags_a_section_five_that_names_no_problem_and_no_measure(seeds, text):
    doc = copy.deepcopy(seeds[1])
    doc["sections"]["problems"] = text
    (finding,) = found(doc, "R17")
    assert finding.section == "problems" and text.strip()[:10] in finding.message


def test_r17_leaves_an_empty_section_five_to_r6(seeds):
    doc = copy.deepcopy(seeds[1])
    doc["sections"]["problems"] = ""
    assert found(doc, "R17") == []
    assert [f.section for f in found(doc, "R6")] == ["problems"]


# --- R18: last year's problems followed up ---------------------------------------


@pytest.mark.parametrize("index", [3, 4])
def test_r18_is_silent_when_section_five_reports_on_last_years_problems(seeds, index):
    # 003: （一）上年度存在的问题及在本年度的改进情况; 004: 对 2022 年度问题的改进情况.
    doc = seeds[index]
    assert found(doc, "R18", previous=as_last_year(doc)) == []


def test_r18_notes_a_section_five_silent_on_last_years_named_problems(seeds):
    doc = seeds[1]  # names this year's problems and measures, never last year's
    (finding,) = found(doc, "R18", previous=as_last_year(doc))
    assert finding.severity == "info" and finding.section == "problems"
    assert "2022年度报告列出了存在的问题" in finding.message


def test_r18_is_silent_when_last_years_report_named_no_problem(seeds):
    last = as_last_year(seeds[1])
    last["sections"]["problems"] = "无。"
    assert found(seeds[1], "R18", previous=last) == []


# --- R19: contradictions ------------------------------------------------------------


def with_sentence(doc: dict, sentence: str) -> dict:
    doc = copy.deepcopy(doc)
    doc["sections"]["general"].append({"heading": "（六）其他", "body": sentence})
    return doc


def test_r19_flags_all_handled_while_applications_are_carried_forward(seeds):
    doc = with_sentence(seeds[1], "全年收到的申请均已办结。")  # 2 carried forward
    (finding,) = found(doc, "R19")
    assert finding.cells == (("applications", "carried_forward", "total"),)
    assert "均已办结" in finding.message and "为2" in finding.message


def test_r19_reads_all_handled_of_last_years_applications_as_no_contradiction(seeds):
    doc = with_sentence(seeds[1], "上年结转的申请均已办结。")
    assert found(doc, "R19") == []


def test_r19_flags_no_applications_received_while_new_received_is_positive(seeds):
    doc = copy.deepcopy(seeds[4])  # 2023 年度，全年未收到依申请公开
    doc["applications"]["new_received"].update(natural_person=3, total=3)
    (finding,) = found(doc, "R19")
    assert finding.cells == (("applications", "new_received", "total"),)
    assert "未收到" in finding.message


def test_r19_flags_no_review_while_the_review_total_is_positive(seeds):
    doc = copy.deepcopy(seeds[0])  # 无因政府信息公开引起的行政复议或诉讼
    doc["review_litigation"]["review"].update(upheld=1, total=1)
    (finding,) = found(doc, "R19")
    assert finding.cells == (("review_litigation", "review", "total"),)


def test_r19_does_not_read_petitions_as_applications(seeds):
    doc = with_sentence(seeds[1], "本年度未收到信访举报申请。")
    assert found(doc, "R19") == []


# --- R20: the statistical period ---------------------------------------------------


def test_r20_flags_a_statistical_period_of_another_year(seeds):
    doc = copy.deepcopy(seeds[1])
    doc["sections"]["opening"] = doc["sections"]["opening"].replace(
        "统计期限从2023年1月1日", "统计期限从2022年1月1日"
    )
    (finding,) = found(doc, "R20")
    assert finding.section == "opening" and "2022年" in finding.message


def test_r20_reads_dates_written_with_spaces(seeds):
    doc = copy.deepcopy(seeds[2])  # 数据统计时限自 2023 年 1 月 1 日至 2023 年 12 月 31 日止
    doc["sections"]["opening"] = doc["sections"]["opening"].replace("2023 年 12", "2022 年 12")
    assert len(found(doc, "R20")) == 1


# --- R8 taught real sentences ------------------------------------------------------


def test_r8_accepts_an_applications_figure_counting_new_and_carried_over_together(seeds):
    doc = copy.deepcopy(seeds[1])
    doc["applications"]["carried_over"].update(natural_person=1, total=1)
    assert found(with_sentence(doc, "全区收到政府信息公开申请53件。"), "R8") == []
    (finding,) = found(with_sentence(doc, "全区收到政府信息公开申请54件。"), "R8")
    assert "54件" in finding.message


@pytest.mark.parametrize(
    "sentence",
    [
        "办理人大代表建议和政协提案，共收到申请12件，均按期办结12件。",
        "本年度收到行政复议申请3件。",
        "受理信访举报申请7件，已办结7件。",
    ],
)
def test_r8_does_not_read_reviews_petitions_or_proposals_as_applications(seeds, sentence):
    messages = [f.message for f in found(with_sentence(seeds[1], sentence), "R8")]
    assert not [m for m in messages if "申请为" in m or "已办结的申请" in m]


def test_r8_still_reads_an_application_count_followed_by_a_review_clause(seeds):
    doc = with_sentence(seeds[1], "受理依申请公开55件，无行政复议。")
    (finding,) = found(doc, "R8")
    assert "55件" in finding.message
