"""import_report PATH.txt/.md/.html: published reports into reports, SPEC §6 variants."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.io import codec
from reports.io.published.parse import TextImportError, parse_published
from reports.models import Agency, Report, Status
from reports.spec import figures as fig
from reports.spec import schema
from tests.helpers import load_seed
from tests.textgen import HEADINGS, published_text

FIGURE_KEYS = ("agency", "year", "title", "active_disclosure", "applications", "review_litigation")


def seed_texts() -> list[Path]:
    return sorted(Path(settings.SEEDS_DIR).glob("*.txt"))


def import_text(tmp_path, text: str, capsys, name: str = "report.txt") -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("import_report", str(path))
    out = capsys.readouterr().out
    return int(out.strip().splitlines()[-1]), out


def exported(report_id: int) -> dict:
    return codec.to_json(Report.objects.get(pk=report_id).document())


def parsed_figures(text: str, name: str = "r.txt") -> dict:
    return codec.to_json(codec.parse(parse_published(text.encode(), name).raw).doc)


# --- the five seeds ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
@pytest.mark.parametrize("index", range(5))
def test_seed_text_imports_with_every_figure_equal_to_its_json(index, capsys):
    path = seed_texts()[index]
    call_command("import_report", str(path))
    report_id = int(capsys.readouterr().out.strip().splitlines()[-1])
    seed = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    result = exported(report_id)
    for key in FIGURE_KEYS:
        assert result[key] == seed[key], key
    report = Report.objects.get(pk=report_id)
    assert report.status == Status.DRAFT
    assert report.general.count() >= 5
    assert report.problems and report.other_matters


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_seed_002_blank_review_cells_are_null_and_flagged(capsys):
    call_command("import_report", str(seed_texts()[2]))
    out = capsys.readouterr().out
    report = Report.objects.get(pk=int(out.strip().splitlines()[-1]))
    assert report.rl_review_upheld is None and report.rl_review_pending is None
    assert report.rl_litigation_direct_upheld == 0
    assert "表四 行政复议 · 结果维持：原文为空白" in out


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_seed_narrative_is_split_into_sections_and_signature():
    parsed = parse_published(seed_texts()[3].read_bytes(), "003.txt").raw
    sections = parsed["sections"]
    headings = [s["heading"] for s in sections["general"] if s["heading"]]
    assert headings[:2] == ["（一）政府信息主动公开情况", "（二）政府信息依申请公开情况"]
    assert sections["applications_note"].startswith("2023年硚口区地方金融工作局未收到")
    assert sections["problems"].startswith("（一）上年度存在的问题")
    assert "2024年1月10日" not in sections["other_matters"]
    assert parsed["signature"] == {"agency": "硚口区地方金融工作局", "date": "2024-01-10"}
    assert parsed["headings"] == HEADINGS


def test_word_page_field_is_not_kept_as_narrative():
    parsed = parse_published(seed_texts()[0].read_bytes(), "000.txt").raw
    assert not parsed["sections"]["other_matters"].endswith("3")
    assert "PAGE" not in parsed["sections"]["other_matters"]


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_missing_section_numeral_is_reported_by_r6(capsys):
    call_command("import_report", str(seed_texts()[1]))
    out = capsys.readouterr().out
    assert "[R6 错误] 应有标题“二、主动公开政府信息情况”，实际为“主动公开政府信息情况”" in out


# --- layouts the seeds do not show ---------------------------------------------------


@pytest.mark.parametrize(
    "style,name",
    [
        ("pdf", "r.txt"),
        ("word", "r.txt"),
        ("lines", "r.txt"),
        ("markdown", "r.md"),
        ("html", "r.html"),
    ],
)
def test_every_layout_reads_the_same_figures(style, name):
    seed = load_seed(1)
    result = parsed_figures(published_text(seed, style), name)
    for key in FIGURE_KEYS:
        assert result[key] == seed[key], key


def test_other_figures_and_agency_are_read_not_assumed():
    doc = copy.deepcopy(load_seed(1))
    doc["agency"], doc["year"] = "某某市交通运输局", 2022
    doc["title"] = "某某市交通运输局2022年政府信息公开工作年度报告"
    doc["active_disclosure"]["rules"] = {"issued": 2, "repealed": 1, "in_force": 17}
    doc["active_disclosure"]["fees_10k_yuan"] = "0.012345"
    doc["applications"]["granted"]["research"] = 4
    doc["review_litigation"]["litigation_after_review"] = {
        "upheld": 1,
        "corrected": 2,
        "other": 0,
        "pending": 3,
        "total": 6,
    }
    result = parsed_figures(published_text(doc, "pdf"))
    for key in FIGURE_KEYS:
        assert result[key] == doc[key], key


# --- SPEC §6 variants, one test each -------------------------------------------------


@pytest.mark.parametrize("style", ["pdf", "word"])
def test_blank_cell_is_null_and_flagged(style):
    doc = copy.deepcopy(load_seed(1))
    doc["applications"]["granted"]["research"] = None
    result = parse_published(published_text(doc, style).encode(), "r.txt")
    assert fig.get(result.raw, schema.cell("applications", "granted", "research")) is None
    assert fig.get(result.raw, schema.cell("applications", "granted", "natural_person")) == "12"
    assert any(n.cells == (("applications", "granted", "research"),) for n in result.notes)


def test_slash_cell_is_null_and_flagged():
    doc = copy.deepcopy(load_seed(1))
    doc["active_disclosure"]["licensing"] = "/"
    doc["review_litigation"]["review"] = {k: "/" for k in doc["review_litigation"]["review"]}
    result = parse_published(published_text(doc, "word").encode(), "r.txt")
    assert result.raw["active_disclosure"]["licensing"] is None
    assert result.raw["review_litigation"]["review"]["upheld"] is None
    assert result.raw["review_litigation"]["litigation_direct"]["upheld"] == "0"
    messages = [n.message for n in result.notes]
    assert (
        "表二 第二十条第（五）项 行政许可 · 本年处理决定数量：原文为“/”，已记为空白，请核对。"
        in messages
    )


@pytest.mark.parametrize("style", ["pdf", "word"])
def test_only_total_column_filled_reads_totals_and_blank_parts(style):
    doc = copy.deepcopy(load_seed(1))
    for row in doc["applications"].values():
        for col in schema.APPLICANT_COLUMNS:
            row[col.key] = None
    result = parse_published(published_text(doc, style).encode(), "r.txt").raw
    apps = result["applications"]
    assert apps["new_received"]["total"] == "52"
    assert apps["new_received"]["natural_person"] is None
    assert apps["carried_forward"]["total"] == "2"


def test_header_words_split_by_spaces_and_line_breaks():
    doc = load_seed(1)
    labels = {"columns": ["商业 企业", "科研\n机构", "社会公益 组织", "法律服务\n机构", "其 他"]}
    text = published_text(doc, "word", labels=labels)
    assert parsed_figures(text)["applications"] == doc["applications"]


def test_social_organisation_alias_in_header():
    doc = load_seed(1)
    labels = {"columns": ["商业企业", "科研机构", "社会组织", "法律服务机构", "其他"]}
    assert (
        parsed_figures(published_text(doc, "pdf", labels=labels))["applications"]
        == doc["applications"]
    )


def test_typo_header_for_repealed_documents():
    doc = copy.deepcopy(load_seed(1))
    labels = {"active_headers": ["本年制发件数", "本年度止件数", "现行有效件数"]}
    result = parsed_figures(published_text(doc, "pdf", labels=labels))
    assert result["active_disclosure"]["normative_documents"] == {
        "issued": 9,
        "repealed": 20,
        "in_force": 116,
    }


def test_columns_of_section_two_follow_the_published_header_order():
    doc = load_seed(1)
    labels = {"active_headers": ["本年制发件数", "现行有效件数", "本年废止件数"]}
    text = published_text(doc, "pdf", labels=labels)
    # The table is written in the standard order, so read by that header the in-force
    # figure (116) is taken from the third cell under 本年废止件数.
    result = parsed_figures(text)
    assert result["active_disclosure"]["normative_documents"] == {
        "issued": 9,
        "repealed": 116,
        "in_force": 20,
    }


def test_normative_documents_without_administrative_prefix():
    doc = load_seed(1)
    labels = {"normative_documents": "规范性文件"}
    result = parsed_figures(published_text(doc, "pdf", labels=labels))
    assert result["active_disclosure"]["normative_documents"]["in_force"] == 116


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_section_four_heading_alias_is_read_and_reported(tmp_path, capsys):
    headings = list(HEADINGS)
    headings[3] = "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"
    report_id, out = import_text(
        tmp_path, published_text(load_seed(1), "pdf", headings=headings), capsys
    )
    assert exported(report_id)["review_litigation"] == load_seed(1)["review_litigation"]
    assert "应有标题“四、政府信息公开行政复议、行政诉讼情况”" in out


@pytest.mark.parametrize("heading", ["五、存在问题及改进情况", "五、存在的主要问题和改进措施"])
def test_section_five_heading_aliases(heading):
    headings = list(HEADINGS)
    headings[4] = heading
    raw = parse_published(published_text(load_seed(1), "pdf", headings=headings).encode()).raw
    assert raw["headings"][4] == heading
    assert raw["sections"]["problems"] == "存在的问题是公开内容不够丰富。"


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_format_2019_report_is_refused_with_a_clear_message(tmp_path):
    text = published_text(
        load_seed(1),
        "pdf",
        labels={
            "active_headers": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
        },
    )
    path = tmp_path / "old.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_report", str(path))
    with pytest.raises(TextImportError, match="2019年试行格式"):
        parse_published(text.encode())
    assert Report.objects.count() == 0


# --- published errors are reported, not fixed ----------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_published_totals_that_break_r1_to_r4_are_reported_and_parts_stored(tmp_path, capsys):
    doc = copy.deepcopy(load_seed(1))
    doc["applications"]["new_received"]["total"] = 53  # R2 and R1 in the 总计 column
    doc["applications"]["handled_total"]["natural_person"] = 35  # R3
    doc["review_litigation"]["litigation_direct"]["total"] = 1  # R4
    report_id, out = import_text(tmp_path, published_text(doc, "pdf"), capsys)
    assert "[R1 错误]" in out and "[R2 错误]" in out and "[R3 错误]" in out and "[R4 错误]" in out
    report = Report.objects.get(pk=report_id)
    assert report.app_new_received_natural_person == 36
    # Totals are derived from the stored parts; the published 53 is not kept.
    assert report.figures()["applications"]["new_received"]["total"] == 52


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_text_without_report_structure_is_refused_and_nothing_written(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要\n今天开会讨论了三件事。\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_report", str(path))
    assert (
        Report.objects.count() == 0 and Agency.objects.count() == 6
    )  # the seeds and 宁波市镇海区人民政府


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_binary_file_named_txt_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with pytest.raises(CommandError):
        call_command("import_report", str(path))
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("seed_agencies")
def test_text_import_never_overwrites_a_published_report(capsys):
    call_command("import_report", str(seed_texts()[1]))
    report = Report.objects.get()
    report.status = Status.PUBLISHED
    report.app_new_received_natural_person = 99
    report.save()
    with pytest.raises(CommandError):
        call_command("import_report", str(seed_texts()[1]))
    report.refresh_from_db()
    assert report.app_new_received_natural_person == 99


def test_gbk_encoded_text_is_read():
    text = published_text(load_seed(1), "pdf")
    raw = parse_published(text.encode("gb18030"), "r.txt").raw
    assert raw["agency"] == "宁波市镇海区人民政府办公室"


def test_title_after_web_page_preamble_and_year_first_title():
    text = published_text(load_seed(1), "pdf")
    title = "宁波市镇海区人民政府办公室2023年度政府信息公开工作年度报告"
    web = text.replace(
        title,
        "发布日期：2024-01-15  来源：区政府办\n"
        + "2023年度宁波市镇海区人民政府办公室政府信息公开工作年度报告",
    )
    raw = parse_published(web.encode()).raw
    assert raw["agency"] == "宁波市镇海区人民政府办公室" and raw["year"] == 2023
    assert raw["sections"]["opening"] == "根据《中华人民共和国政府信息公开条例》编制本报告。"


def test_heading_written_as_part_number():
    headings = list(HEADINGS)
    headings[4] = "第五部分 存在的主要问题及改进情况"
    raw = parse_published(published_text(load_seed(1), "pdf", headings=headings).encode()).raw
    assert raw["sections"]["problems"] == "存在的问题是公开内容不够丰富。"


def test_label_wrapped_onto_the_line_of_its_values():
    seed = load_seed(1)
    text = published_text(seed, "pdf")
    label = "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    wrapped = text.replace(
        label + "\t", "1.申请人无正当理由逾期不补正、行政机关不再处理\n其政府信息公开申请\t"
    )
    assert wrapped != text
    assert parsed_figures(wrapped)["applications"] == seed["applications"]


def test_page_number_inside_a_word_table_is_not_a_cell():
    seed = load_seed(1)
    text = published_text(seed, "word")
    broken = text.replace("\t6.属于四类过程性信息\n", "\n\n— 3 —\n\n3\n\n\t6.属于四类过程性信息\n")
    assert broken != text
    assert parsed_figures(broken)["applications"] == seed["applications"]


def test_header_repeated_at_a_pdf_page_break_is_not_read_as_a_row():
    seed = load_seed(1)
    text = published_text(seed, "pdf")
    header = (
        "\t\t自然人\t法人或其他组织\t\t\t\t\t\n"
        "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\t\n"
    )
    label = "3.其他\t"
    broken = text.replace(label, "- 4 -\n" + header + label, 1)
    assert broken != text
    assert parsed_figures(broken)["applications"] == seed["applications"]


def test_markdown_cells_with_line_breaks():
    seed = load_seed(1)
    text = published_text(seed, "markdown").replace("| 结果 维持 |", "| 结果<br>维持 |")
    assert parsed_figures(text, "r.md")["review_litigation"] == seed["review_litigation"]


def test_headings_with_words_around_the_usual_ones():
    headings = list(HEADINGS)
    headings[3] = "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"
    headings[4] = "五、政府信息公开工作存在的主要问题及改进情况"
    raw = parse_published(published_text(load_seed(1), "pdf", headings=headings).encode()).raw
    assert raw["headings"][3:5] == headings[3:5]
    assert raw["sections"]["problems"] == "存在的问题是公开内容不够丰富。"


def test_format_2019_is_named_even_when_other_parts_differ():
    text = "某局2020年政府信息公开工作年度报告\n一、概述\n本年度……\n"
    text += "第二十条第（一）项\n"
    text += "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t0\t0\t0\n"
    with pytest.raises(TextImportError, match="2019年试行格式"):
        parse_published(text.encode())


def test_a_text_without_its_title_line_is_named_by_its_opening_sentence():
    """Seed 002's body copied without the page's heading: its opening says 特向社会公布
    鄞州区投资促进中心 2023 年度政府信息公开工作年度报告."""
    path = seed_texts()[2]
    seed = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").split("\n")
    title_line = next(i for i, line in enumerate(lines) if line.startswith("# 鄞州区投资促进中心"))
    text = "\n".join(lines[:title_line] + lines[title_line + 1 :])
    result = parse_published(text.encode(), "r.txt")
    assert result.raw["title"] == "鄞州区投资促进中心2023年度政府信息公开工作年度报告"
    assert result.raw["sections"]["opening"].startswith("2023 年，区投资促进中心")
    figures = codec.to_json(codec.parse(result.raw).doc)
    for key in ("agency", "year", "active_disclosure", "applications", "review_litigation"):
        assert figures[key] == seed[key], key


def test_a_sentence_that_only_mentions_a_report_is_no_title():
    text = "根据条例规定，现将我办2022年度政府信息公开情况报告如下。\n一、总体情况\n正文。"
    with pytest.raises(TextImportError, match="未找到标题"):
        parse_published(text.encode(), "r.txt")
