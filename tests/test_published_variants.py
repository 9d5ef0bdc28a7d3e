"""Published reports as agencies keep them: every variant of the issue and of SPEC §6,
as Word, PDF, web page and text, imports with every figure right; the 2019 format is
refused in every format, and nothing is stored from a refused file."""

from __future__ import annotations

import copy

import pytest

from reports.io import codec
from reports.io.errors import ImportRefused
from reports.io.imports import import_bytes
from reports.io.published.parse import TextImportError, parse_published
from reports.models import CellState, ImportLog, Report
from reports.spec import schema
from tests import variants as v
from tests.helpers import load_seed

FORMATS = ("txt", "tabs", "spaces", "html", "docx", "pdf")
SEED = load_seed(1)  # 宁波市镇海区人民政府办公室 2023: the most figures that are not 0
VARIANTS = {x.name: x for x in v.variants(SEED)}


@pytest.fixture(scope="session")
def rendered(published_file):
    """Each variant as each kind of file, written once per test run (conftest)."""
    return published_file


@pytest.fixture(scope="session")
def parsed(published_reading):
    """What the reader makes of each rendered file, read once per test run."""
    return published_reading


def figures_of(data: bytes, name: str) -> dict:
    return codec.to_json(codec.parse(parse_published(data, name).raw).doc)


def assert_figures(result: dict, expected: dict) -> None:
    for key in ("agency", "year", *schema.TABLES):
        assert result[key] == expected[key], key


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_reads_every_figure_right_in_every_format(parsed, name, fmt):
    variant = VARIANTS[name]
    result = codec.to_json(codec.parse(parsed(variant, fmt).raw).doc)
    assert_figures(result, variant.expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_headings_found_are_kept_for_r6_whatever_their_numbering(parsed, fmt):
    variant = VARIANTS["renumbered"]
    raw = parsed(variant, fmt).raw
    assert raw["headings"] == variant.headings
    assert raw["sections"]["problems"] == v.PROBLEMS
    assert raw["sections"]["other_matters"] == v.OTHER
    assert raw["signature"] == {"agency": SEED["agency"], "date": "2024-01-10"}


@pytest.mark.parametrize("fmt", ["tabs", "html", "docx", "pdf"])
def test_a_missing_five_heading_is_none_and_its_text_still_section_five(parsed, fmt):
    raw = parsed(VARIANTS["missing_five"], fmt).raw
    assert raw["headings"][4] is None and raw["headings"][5] == "六、其他需要报告的事项"
    assert raw["sections"]["problems"] == v.PROBLEMS
    assert raw["sections"]["review_litigation_note"] == ""


@pytest.mark.parametrize("fmt", ["tabs", "html", "docx", "pdf"])
def test_the_note_after_the_review_table_is_that_sections_note(parsed, fmt):
    raw = parsed(VARIANTS["note_after_table"], fmt).raw
    note = "注：行政复议、行政诉讼数量含上年度结转数量。"
    assert raw["sections"]["review_litigation_note"] == note
    assert raw["sections"]["problems"] == v.PROBLEMS


@pytest.mark.parametrize("fmt", ["tabs", "html", "docx", "pdf"])
def test_a_missing_rules_row_is_listed_as_blank(parsed, fmt):
    result = parsed(VARIANTS["no_rules_row"], fmt)
    row = [n for n in result.notes if "规章：原文没有这一行" in n.message]
    assert len(row) == 1
    assert set(row[0].cells) == {
        ("active_disclosure", "rules", k) for k in ("issued", "repealed", "in_force")
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_note_in_a_cell_keeps_the_number_and_the_note(parsed, fmt):
    result = parsed(VARIANTS["notes_in_cells"], fmt)
    messages = [n.message for n in result.notes]
    assert any("原文为“9（其中修订3件）”，读作9" in m for m in messages), messages
    read = result.reads[("active_disclosure", "normative_documents", "in_force")]
    assert read.value == "116" and read.note == "含自然失效29件"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_2019_format_report_is_refused_in_every_format(rendered, fmt):
    with pytest.raises(TextImportError, match="2019年试行格式（国办公开办函〔2019〕60号）"):
        parse_published(*rendered(v.format_2019(SEED), fmt))


# --- blank cells where the source shows them -----------------------------------------


@pytest.mark.parametrize("fmt", ["tabs", "html", "docx", "pdf", "txt"])
def test_seed_002s_blank_review_cells_stay_blank_in_every_format(parsed, fmt):
    seed = load_seed(2)
    variant = v.Variant("blank_review", v._base(seed))
    result = codec.to_json(codec.parse(parsed(variant, fmt).raw).doc)
    assert_figures(result, variant.expected)


@pytest.mark.parametrize("fmt", ["tabs", "html", "docx"])
def test_a_blank_cell_in_the_middle_of_a_row_keeps_its_column(parsed, fmt):
    expected = v._base(SEED)
    expected["applications"]["granted"]["commercial"] = None
    expected["applications"]["unable_not_held"]["total"] = None
    result = parsed(v.Variant("blank_cell", expected), fmt)
    got = codec.to_json(codec.parse(result.raw).doc)
    assert got["applications"]["granted"] == expected["applications"]["granted"]
    assert got["applications"]["unable_not_held"]["natural_person"] == 15


def test_space_separated_rows_with_a_missing_cell_are_read_in_doubt_not_shifted(parsed):
    expected = v._base(SEED)
    expected["applications"]["granted"]["commercial"] = None
    result = parsed(v.Variant("blank_cell", expected), "spaces")
    granted = [result.reads[("applications", "granted", c.key)] for c in schema.APPLICATION_COLUMNS]
    assert all(r.doubtful for r in granted)
    assert any("按右对齐读取" in n.message for n in result.notes)


# --- what is refused, and that nothing is stored --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_is_stored_from_a_refused_file(rendered, fmt, seed_agencies):
    data, name = rendered(v.format_2019(SEED), fmt)
    with pytest.raises(ImportRefused):
        import_bytes(data, name)
    assert Report.objects.count() == 0 and ImportLog.objects.count() == 0


@pytest.mark.django_db
def test_a_negative_cell_refuses_the_file_naming_the_cell(rendered, seed_agencies):
    variant = copy.deepcopy(VARIANTS["no_rules_row"])
    variant.texts[("applications", "granted", "research")] = "-5"
    data, name = rendered(variant, "tabs")
    with pytest.raises(ImportRefused) as refused:
        import_bytes(data, name)
    assert "表三 （一）予以公开 · 科研机构（applications.granted.research）：不能为负数" in str(
        refused.value
    )
    assert Report.objects.count() == 0


def test_a_scanned_pdf_without_text_is_refused_saying_so():
    from weasyprint import HTML

    blank = HTML(string="<html><body><div style='height:10cm'></div></body></html>").write_pdf()
    with pytest.raises(TextImportError, match="没有文字层"):
        parse_published(blank, "scan.pdf")


def test_a_word_document_is_recognised_by_content_whatever_its_name(rendered):
    data, _ = rendered(VARIANTS["four_typo"], "docx")
    assert figures_of(data, "report.bin")["applications"] == SEED["applications"]


def test_a_pdf_is_recognised_by_content_whatever_its_name(rendered):
    data, _ = rendered(VARIANTS["four_typo"], "pdf")
    assert figures_of(data, "report.txt")["review_litigation"] == SEED["review_litigation"]


# --- the import log ---------------------------------------------------------------------


@pytest.mark.django_db
def test_published_totals_that_disagree_are_kept_visible_per_cell(rendered, seed_agencies):
    expected = v._base(SEED)
    variant = v.Variant("wrong_total", expected)
    variant.texts[("applications", "new_received", "total")] = "53"
    data, name = rendered(variant, "docx")
    result = import_bytes(data, name)
    assert any(f.rule == "R2" for f in result.findings)
    report = Report.objects.get()
    assert report.figures()["applications"]["new_received"]["total"] == 52  # 36 + 16
    cell = result.log.cells.get(field="app_new_received_total")
    assert cell.state == CellState.DOUBTFUL
    assert cell.published == "53" and "原文总计为53，各项之和为52" in cell.note


@pytest.mark.django_db
def test_the_import_log_marks_blank_and_noted_cells(rendered, seed_agencies):
    result = import_bytes(*rendered(VARIANTS["no_rules_row"], "pdf"))
    cells = result.log.cells_by_field()
    assert cells["ad_rules_issued"].state == CellState.BLANK
    assert cells["ad_rules_issued"].note == "原文没有这一行"
    assert cells["ad_normative_documents_in_force"].state == CellState.READ
    assert cells["ad_normative_documents_in_force"].published == "116"
    assert result.to_check == 3
