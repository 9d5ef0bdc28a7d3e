"""Real published reports that are not in this repository, read as they were published.

``tests/fixtures/published_real/`` holds the text of real reports as stored copies of
their pages keep them, each with a header naming its source, and beside each a JSON of
the figures read from the page by hand. The stored copies of the 2021-format reports
are pages of a PDF flipbook or the beginning of a portal page, so each JSON lists only
the tables and rows its page holds whole, and the region each table stands in (by its
heading lines). The Shanghai 2019 report is whole and in the 2019 trial format: every
entry path refuses it with the message that names 国办公开办函〔2019〕60号.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.io import codec
from reports.io.errors import ImportRefused
from reports.io.imports import import_bytes
from reports.io.published.parse import TextImportError, parse_published
from reports.io.published.source import Line, text_lines
from reports.io.published.tables import TableError, Tables
from reports.io.published.tokens import tokenise
from reports.models import FileStatus, ImportFile, ImportLog, Report

FIXTURES = Path(__file__).parent / "fixtures" / "published_real"
FRAGMENTS = sorted(p.stem for p in FIXTURES.glob("*.txt"))
REPORT_2019 = FIXTURES / "shanghai_office_2019.html"


def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def page_text(name: str) -> str:
    """The page as stored, without the fixture's header (its leading # lines)."""
    lines = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


def region(lines: list[Line], start: str | None, stop: str | None) -> list[Line]:
    """The lines between the heading ``start`` (the first line when None) and the line
    starting with ``stop`` (the end when None), as the fixture's JSON names them."""
    first = 0 if start is None else next(i for i, x in enumerate(lines) if x.text == start) + 1
    last = next(
        (i for i in range(first, len(lines)) if stop and lines[i].text.startswith(stop)),
        len(lines),
    )
    return lines[first:last]


def read_tables(name: str) -> tuple[Tables, list[str]]:
    """Every table the page holds, read by the importer's table readers; the labels of
    the matrix rows the page does not hold."""
    lines = text_lines(page_text(name))
    regions = expected(name)["regions"]
    tables = Tables()
    missing: list[str] = []
    if "active_disclosure" in regions:
        tables.active(tokenise(region(lines, *regions["active_disclosure"])))
    if "applications" in regions:
        missing = tables.application_rows(tokenise(region(lines, *regions["applications"])))
    if "review_litigation" in regions:
        tables.review(tokenise(region(lines, *regions["review_litigation"])))
    return tables, missing


def as_interchange(tables: Tables) -> dict:
    """The figures read, judged by the codec exactly as an import judges them."""
    parsed = codec.parse({"agency": "—", "year": 2023, **tables.figures()})
    assert parsed.errors == []
    return codec.to_json(parsed.doc)


@pytest.mark.parametrize("name", FRAGMENTS)
def test_every_figure_a_real_page_holds_is_read_right(name):
    want = expected(name)
    tables, _ = read_tables(name)
    got = as_interchange(tables)
    checked = 0
    for table in ("active_disclosure", "applications", "review_litigation"):
        for row, value in want.get(table, {}).items():
            assert got[table][row] == value, (table, row)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", [n for n in FRAGMENTS if "matrix_rows_found" in expected(n)])
def test_a_real_page_cut_inside_the_matrix_is_refused_saying_how_much_was_found(name):
    want = expected(name)
    lines = text_lines(page_text(name))
    tokens = tokenise(region(lines, *want["regions"]["applications"]))
    with pytest.raises(TableError, match=f"只找到{want['matrix_rows_found']}行"):
        Tables().applications(tokens)


def test_cells_left_blank_beside_a_filled_total_stay_blank_not_shifted():
    """徐闻: 一、本年新收… | 0 | | | | | | 0 | is 自然人 0, five blanks, 总计 0."""
    tables, _ = read_tables("xuwen_bureau")
    reads = [
        tables.reads[("applications", "new_received", c)]
        for c in ("natural_person", "commercial", "total")
    ]
    assert [r.value for r in reads] == ["0", None, "0"]
    assert not any(r.doubtful for r in reads)


@pytest.mark.parametrize("name", FRAGMENTS)
def test_a_page_without_the_whole_report_is_refused_and_nothing_is_stored(name, db):
    data = page_text(name).encode("utf-8")
    with pytest.raises(ImportRefused):
        import_bytes(data, f"{name}.txt")
    assert Report.objects.count() == 0 and ImportLog.objects.count() == 0


# --- the 2019 format, refused on every path ------------------------------------------------


MESSAGE_2019 = expected("shanghai_office_2019")["refused"]


@pytest.mark.parametrize("name", ["年报.html", "年报.htm", "report.bin", "report.txt"])
def test_the_real_2019_report_is_refused_by_the_reader_whatever_its_name(name):
    with pytest.raises(TextImportError) as refused:
        parse_published(REPORT_2019.read_bytes(), name)
    assert str(refused.value) == MESSAGE_2019


@pytest.mark.django_db
def test_the_real_2019_report_is_refused_by_import_bytes_and_nothing_is_stored(seed_agencies):
    with pytest.raises(ImportRefused) as refused:
        import_bytes(REPORT_2019.read_bytes(), REPORT_2019.name)
    assert MESSAGE_2019 in str(refused.value)
    assert Report.objects.count() == 0 and ImportLog.objects.count() == 0


@pytest.mark.django_db
def test_the_real_2019_report_is_refused_by_import_report(seed_agencies):
    with pytest.raises(CommandError, match="国办公开办函〔2019〕60号"):
        call_command("import_report", str(REPORT_2019), stdout=io.StringIO())
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_real_2019_report_is_refused_on_the_clerks_import_page(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile(REPORT_2019.name, REPORT_2019.read_bytes())
    response = client.post(reverse("reports:import_published"), {"file": upload})
    assert response.status_code == 400
    assert MESSAGE_2019 in response.getvalue().decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_real_2019_report_is_refused_in_a_batch(
    client, carol, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(carol)
    upload = SimpleUploadedFile(REPORT_2019.name, REPORT_2019.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:import_batch"), {"year": 2019, "uploads": [upload]})
    file = ImportFile.objects.get()
    assert file.status == FileStatus.REFUSED and MESSAGE_2019 in file.message
    assert Report.objects.count() == 0


def test_a_real_page_named_only_in_its_opening_sentence_is_read_up_to_what_it_lacks():
    """湛江: the title only in 特编制湛江市人民政府地方志办公室2023年…报告; the page as stored
    ends inside section 三, so the refusal names the missing section 四, not the title."""
    data = page_text("zhanjiang_dfz_2023").encode("utf-8")
    with pytest.raises(TextImportError, match="未找到第四部分"):
        parse_published(data, "page.txt")
