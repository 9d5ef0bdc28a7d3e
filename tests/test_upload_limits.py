"""Uploads are judged by what they claim to hold before anything is unpacked (a zip
bomb costs no memory), parsed without XML entities, and a form's request limit fits a
long narrative; beyond it the answer is a Chinese page, never a bare English one."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from reports.io import codec, xlsx
from reports.io.errors import ImportRefused
from reports.io.imports import MAX_UPLOAD_BYTES, import_bytes
from reports.oversight.batch import BatchError, Upload, unpack
from reports.spec.text import NARRATIVE_MAX_CHARS
from tests.helpers import load_seed, make_report

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def bomb(member: str, others: dict[str, bytes], unpacked_mb: int = 200) -> bytes:
    """A ZIP of about 200 KB whose ``member`` unpacks to ``unpacked_mb`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in others.items():
            archive.writestr(name, data)
        with archive.open(member, "w", force_zip64=True) as f:
            chunk = b"\0" * MB
            for _ in range(unpacked_mb):
                f.write(chunk)
    return out.getvalue()


def peak_while(fn) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        fn()
        raised = None
    except (ImportRefused, BatchError) as exc:
        raised = exc
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return raised, peak


@pytest.mark.usefixtures("seed_agencies")
def test_a_workbook_bomb_is_refused_from_its_directory_without_unpacking():
    data = bomb("[Content_Types].xml", {"xl/workbook.xml": b"<workbook/>"})
    assert len(data) < 1 * MB
    raised, peak = peak_while(lambda: import_bytes(data, "bomb.xlsx"))
    assert raised is not None and "超过上限50 MB" in str(raised)
    assert peak < 20 * MB  # the member claims 200 MB


def test_a_word_bomb_is_refused_from_its_directory_without_unpacking(seed_agencies):
    data = bomb("word/document.xml", {"[Content_Types].xml": b"<Types/>"})
    raised, peak = peak_while(lambda: import_bytes(data, "bomb.docx"))
    assert raised is not None and "超过上限50 MB" in str(raised)
    assert peak < 20 * MB


def test_a_batch_zip_of_thousands_of_entries_is_refused_before_reading_any():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(2000):
            archive.writestr(f"年报{i}.txt", b"x")
    with pytest.raises(BatchError) as refused:
        unpack([Upload("batch.zip", out.getvalue())])
    assert str(refused.value) == "压缩包“batch.zip”：压缩文件包含2000个条目，超过上限900个。"


def test_a_batch_member_too_large_is_never_unpacked_whole():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("big.txt", os.urandom(12 * MB))  # incompressible, not a bomb
    data = out.getvalue()
    tracemalloc.start()
    files = unpack([Upload("batch.zip", data)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [f.name for f in files] == ["big.txt"]
    assert len(files[0].data) == MAX_UPLOAD_BYTES + 1  # import_bytes says 文件过大
    assert peak < 8 * MB


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


def with_entities(data: bytes, member: str) -> bytes:
    """The workbook with ``member``'s XML declaring entities and using one."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                body = content.split(b"?>", 1)[-1]
                body = body.replace(b"<sheetData>", b"<sheetData>&lol4;", 1)
                content = BILLION_LAUGHS + body
            archive.writestr(info, content)
    return out.getvalue()


@pytest.mark.usefixtures("seed_agencies")
def test_a_workbook_with_xml_entities_is_refused_in_chinese():
    # The sheets are parsed by defusedxml (openpyxl uses it once installed), which
    # refuses entity declarations; the workbook part by lxml without resolving them.
    data = xlsx.workbook_bytes(codec.parse(load_seed(1)).doc)
    hostile = with_entities(data, "xl/worksheets/sheet1.xml")
    raised, peak = peak_while(lambda: import_bytes(hostile, "entities.xlsx"))
    assert raised is not None and "含有不允许的内容（如XML实体）" in str(raised)
    assert peak < 20 * MB


# --- the request limit ------------------------------------------------------------


def section_post(client, report, data: dict):
    report.refresh_from_db()
    url = reverse("reports:section", args=[report.pk, "problems"])
    return client.post(url, {**data, "version": report.version})


def test_a_one_megabyte_narrative_is_saved(client, alice, agencies):
    report = make_report(agencies["office"])
    text = "存在的主要问题。" * (MB // len("存在的主要问题。".encode()))  # 1 MB of UTF-8
    assert len(text.encode()) > 0.99 * MB
    client.force_login(alice)
    response = section_post(client, report, {"problems": text})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.problems == text


def test_a_narrative_over_its_limit_is_shown_again_with_a_chinese_reason(client, alice, agencies):
    report = make_report(agencies["office"], problems="原有的第五部分。")
    text = "长" * (NARRATIVE_MAX_CHARS + 1)
    client.force_login(alice)
    response = section_post(client, report, {"problems": text})
    assert response.status_code == 400
    page = response.getvalue().decode()
    assert f"不能超过{NARRATIVE_MAX_CHARS}个字（现有{NARRATIVE_MAX_CHARS + 1}个字）" in page
    assert text in page  # kept as typed
    report.refresh_from_db()
    assert report.problems == "原有的第五部分。"


def test_a_request_beyond_the_limit_gets_the_chinese_page_and_nothing_is_saved(
    client, alice, agencies, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB
    report = make_report(agencies["office"], problems="原有的第五部分。")
    client.force_login(alice)
    response = section_post(client, report, {"problems": "长" * MB})
    assert response.status_code == 400
    page = response.getvalue().decode()
    assert "提交的内容无法处理" in page and "您填写的内容仍在页面中" in page
    assert "Bad Request" not in page
    report.refresh_from_db()
    assert report.problems == "原有的第五部分。"
