"""export_report --format docx: the Word layout of the printed report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from reports.io import codec
from reports.models import Report
from reports.printing import word as docx_export
from reports.spec import schema
from tests.helpers import complete_doc, load_seed

# Imports never create an agency: the seeds' agencies exist beforehand.
pytestmark = pytest.mark.usefixtures("seed_agencies")


def word_of(raw: dict):
    return Document(io.BytesIO(docx_export.document_bytes(codec.parse(raw).doc)))


def test_page_is_a4_with_official_margins_and_page_number_footers():
    word = word_of(complete_doc(load_seed(1)))
    section = word.sections[0]

    def mm(length) -> float:
        return round(length / 36000, 1)  # EMU per mm

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225
    assert word.settings.odd_and_even_pages_header_footer
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # right, left
    assert "PAGE" in odd._p.xml and odd.text.startswith("— ") and odd.text.endswith(" —")


def test_title_headings_and_body_use_the_official_fonts_with_east_asian_settings():
    word = word_of(complete_doc(load_seed(1)))
    paragraphs = [p for p in word.paragraphs if p.text]
    title = paragraphs[0]
    assert title.text == "宁波市镇海区人民政府办公室2023年度政府信息公开工作年度报告"
    run = title.runs[0]
    assert run.font.size == Pt(22)
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    headings = {p.text: p for p in paragraphs if p.text in [s.heading for s in schema.SECTIONS]}
    assert list(headings) == [s.heading for s in schema.SECTIONS]
    assert headings["一、总体情况"].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    sub = next(p for p in paragraphs if p.text == "（一）主动公开情况")
    assert sub.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    body = next(p for p in paragraphs if p.text == "本年度工作正常开展。")
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert body.runs[0].font.size == Pt(16)
    assert paragraphs[-1].text == "2024年1月10日" and paragraphs[-1].alignment == 2


def test_tables_are_real_word_tables_with_the_forms_merged_cells():
    word = word_of(complete_doc(load_seed(1)))
    assert len(word.tables) == 3
    matrix = word.tables[1]
    assert len(matrix.rows) == 3 + 25 and len(matrix.columns) == 10
    # The corner note spans three columns and three rows: one cell object.
    assert matrix.cell(0, 0)._tc is matrix.cell(2, 2)._tc
    assert matrix.cell(0, 0).text == schema.CORNER_NOTE
    assert matrix.cell(1, 4)._tc is matrix.cell(1, 8)._tc  # 法人或其他组织
    assert matrix.cell(5, 0).text == "三、本年度办理结果"
    assert matrix.cell(5, 0)._tc is matrix.cell(26, 0)._tc
    assert matrix.cell(27, 0).text == "四、结转下年度继续办理"
    assert matrix.cell(3, 3).text == "36" and matrix.cell(3, 9).text == "52"
    review = word.tables[2]
    assert [c.text for c in review.rows[3].cells] == ["0"] * 15
    assert 'w:tblHeader w:val="true"' in matrix.rows[0]._tr.xml


def test_blank_cells_stay_blank_not_zero():
    word = word_of(complete_doc(load_seed(2)))
    review = word.tables[2]
    assert [c.text for c in review.rows[3].cells][:5] == [""] * 5


@pytest.mark.django_db
def test_export_report_writes_docx(tmp_path, capsys):
    path = tmp_path / "in.json"
    import json

    path.write_text(json.dumps(complete_doc(load_seed(1)), ensure_ascii=False), encoding="utf-8")
    call_command("import_report", str(path))
    report_id = int(capsys.readouterr().out.strip().splitlines()[-1])
    out = tmp_path / "report.docx"
    call_command("export_report", str(report_id), "--format", "docx", "--output", str(out))
    word = Document(str(out))
    assert word.paragraphs[0].text == Report.objects.get(pk=report_id).title
    assert Path(out).stat().st_size > 10_000


@pytest.mark.django_db
def test_docx_download_for_viewers_only(client, carol, mallory, agencies):
    from django.urls import reverse

    from reports.io.imports import import_document

    report, _ = import_document(complete_doc(load_seed(1)))
    url = reverse("reports:docx", args=[report.pk])
    client.force_login(carol)
    response = client.get(url)
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert Document(io.BytesIO(response.getvalue())).paragraphs[0].text == report.title
    assert client.post(url).status_code == 405
    client.force_login(mallory)
    assert client.get(url).status_code == 404


def test_text_stored_with_control_characters_still_downloads_as_word():
    """Input now refuses control characters, but a narrative saved before that keeps
    them; the Word file drops them (a line break for Word's \\x0b) instead of failing."""
    doc = codec.parse(complete_doc(load_seed(1))).doc
    doc["sections"]["problems"] = "正文\x1b[31m红字\x0b第二行"  # as stored, not as parsed
    word = Document(io.BytesIO(docx_export.document_bytes(doc)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "正文[31m红字\n第二行" in text
