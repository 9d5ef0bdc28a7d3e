"""The PDF stored when a report is published is PDF/A-3b and tagged: its structure tree
holds the title and headings as headings in reading order, the tables with their header
cells, and the paragraphs, so a screen reader reads it as the document it is."""

from __future__ import annotations

import re

import pytest

from reports.models import Report
from tests import pdf_checks
from tests.helpers import published_report

pytestmark = pytest.mark.django_db

# SPEC §2: the six headings, in the order a reader must meet them.
HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


@pytest.fixture
def stored_pdf(
    alice, bob, settings, tmp_path, django_capture_on_commit_callbacks
) -> tuple[Report, bytes]:
    settings.MEDIA_ROOT = tmp_path / "media"
    # The PDF is stored once the publication is committed.
    with django_capture_on_commit_callbacks(execute=True):
        report = published_report(alice, bob)
    report.refresh_from_db()
    assert report.published_pdf, "publication stores the PDF"
    with report.published_pdf.open("rb") as f:
        return report, f.read()


def test_the_stored_pdf_is_pdf_a_3b_and_marked_as_tagged_in_chinese(stored_pdf):
    _, data = stored_pdf
    root = pdf_checks.reader(data).trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert bool(root["/MarkInfo"]["/Marked"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp) and re.search(r'pdfaid:conformance(="|>)B', xmp)


def test_the_structure_tree_reads_title_headings_tables_and_paragraphs_in_order(stored_pdf):
    report, data = stored_pdf
    elements, _ = pdf_checks.tagged_elements(data)

    titles = [e.text for e in elements if e.type == "H1"]
    assert [pdf_checks.squeeze(t) for t in titles] == [report.title]
    headings = [pdf_checks.squeeze(e.text) for e in elements if e.type == "H2"]
    assert headings == HEADINGS
    # Reading order: each table comes after its section's heading and before the next.
    order = [(e.type, pdf_checks.squeeze(e.text)) for e in elements]
    position = {text: i for i, (kind, text) in enumerate(order) if kind == "H2"}
    first_header_cell = next(
        i for i, (kind, text) in enumerate(order) if kind == "TH" and "申请人情况" in text
    )
    assert position[HEADINGS[2]] < first_header_cell < position[HEADINGS[3]]

    # The tables' header rows are header cells inside a table header.
    header_cells = [e for e in elements if e.type == "TH" and "THead" in e.ancestors]
    assert {"自然人", "商业企业", "总计"} <= {pdf_checks.squeeze(e.text) for e in header_cells}
    assert all("Table" in e.ancestors for e in header_cells)
    # Row labels are header cells of their rows, figures are data cells.
    row_labels = {pdf_checks.squeeze(e.text) for e in elements if e.type == "TH"}
    assert "一、本年新收政府信息公开申请数量" in row_labels
    figures = [e.text for e in elements if e.type == "TD"]
    assert figures and all(re.fullmatch(r"[\d.]*", f.strip()) for f in figures)
    assert sum(1 for e in elements if e.type == "P") >= 8
