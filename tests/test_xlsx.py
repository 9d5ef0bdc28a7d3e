"""XLSX of one report: export, round trip, upload with cell-named errors, safety."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from reports.io import codec, xlsx
from reports.io.imports import MAX_UPLOAD_BYTES
from reports.models import Report, Status
from reports.spec import schema
from tests.helpers import complete_doc, load_seed, seed_paths

# Imports never create an agency: the seeds' agencies exist beforehand.
pytestmark = pytest.mark.usefixtures("seed_agencies")

FIGURES = ("active_disclosure", "applications", "review_litigation")


def office_doc(year: int = 2024) -> dict:
    doc = copy.deepcopy(load_seed(1))
    doc["year"] = year
    doc["title"] = schema.title_for(doc["agency"], year)
    return doc


def workbook_of(raw: dict) -> bytes:
    return xlsx.workbook_bytes(codec.parse(raw).doc)


def edit(data: bytes, changes: dict[tuple[str, str], object]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for (sheet, coordinate), value in changes.items():
        wb[sheet][coordinate] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def coordinate_of(field: str) -> tuple[str, str]:
    wb = load_workbook(io.BytesIO(workbook_of(office_doc())))
    for key, _, sheet, coordinate in wb[xlsx.KEY_SHEET].iter_rows(min_row=2, values_only=True):
        if key == field:
            return sheet, coordinate
    raise KeyError(field)


# --- command line round trip -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(5))
def test_seed_round_trips_exactly_through_xlsx(index, tmp_path, capsys):
    seed = json.loads(seed_paths()[index].read_text(encoding="utf-8"))
    call_command("import_report", str(seed_paths()[index]))
    report_id = int(capsys.readouterr().out.strip().splitlines()[-1])
    out = tmp_path / "report.xlsx"
    call_command("export_report", str(report_id), "--format", "xlsx", "--output", str(out))
    Report.objects.all().delete()
    call_command("import_report", str(out))
    new_id = int(capsys.readouterr().out.strip().splitlines()[-1])
    exported = codec.to_json(Report.objects.get(pk=new_id).document())
    for key in ("agency", "year", "title", *FIGURES):
        assert exported[key] == seed[key], key


def test_workbook_is_laid_out_like_the_form_with_formulas_and_protection():
    wb = load_workbook(io.BytesIO(workbook_of(load_seed(1))))
    assert wb.sheetnames == ["表二", "表三", "表四", xlsx.KEY_SHEET]
    assert wb[xlsx.KEY_SHEET].sheet_state == "hidden"
    three = wb["表三"]
    assert three["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert three["A2"].value == schema.CORNER_NOTE
    assert "A2:C4" in {str(r) for r in three.merged_cells.ranges}
    assert three["E3"].value == "法人或其他组织" and "E3:I3" in {
        str(r) for r in three.merged_cells.ranges
    }
    assert three["D5"].value == 36
    assert three["J5"].value == "=SUM(D5,E5,F5,G5,H5,I5)"
    assert three.protection.sheet is True
    assert three["A5"].protection.locked is True
    assert three["D5"].protection.locked is False
    assert three["J5"].protection.locked is True
    validations = {dv.type: str(dv.sqref) for dv in three.data_validations.dataValidation}
    assert "D5" in validations["whole"]
    two = wb["表二"]
    fee_rule = [dv for dv in two.data_validations.dataValidation if dv.type == "decimal"]
    assert len(fee_rule) == 1 and fee_rule[0].formula1 == "0"


def test_blank_workbook_has_labels_and_formulas_but_no_figures():
    wb = load_workbook(io.BytesIO(xlsx.workbook_bytes(codec.parse(load_seed(1)).doc, blank=True)))
    three = wb["表三"]
    assert three["A5"].value == "一、本年新收政府信息公开申请数量"
    assert three["D5"].value is None
    assert three["J5"].value.startswith("=SUM(")


def test_fee_with_six_decimals_round_trips_exactly():
    raw = office_doc()
    raw["active_disclosure"]["fees_10k_yuan"] = "1.234567"
    back = xlsx.read_workbook(workbook_of(raw))
    assert back["active_disclosure"]["fees_10k_yuan"] == "1.234567"


def test_text_that_could_run_as_formula_is_neutralised():
    raw = office_doc()
    raw["title"] = '=HYPERLINK("http://evil","x")'
    data = workbook_of(raw)
    wb = load_workbook(io.BytesIO(data))
    cells = [row for row in wb[xlsx.KEY_SHEET].iter_rows(values_only=True) if row[0] == "title"]
    assert cells[0][1].startswith("'=")
    assert xlsx.read_workbook(data)["title"] == raw["title"]
    assert xlsx.neutralise("@SUM(A1)") == "'@SUM(A1)" and xlsx.neutralise("-1") == "'-1"
    assert xlsx.neutralise("宁波") == "宁波"


# --- reading errors -----------------------------------------------------------------


@pytest.mark.django_db
def test_bad_cells_are_named_by_sheet_and_cell_and_nothing_is_written(tmp_path):
    sheet, coordinate = coordinate_of("app_granted_natural_person")
    fee_sheet, fee_coordinate = coordinate_of("ad_fees_10k_yuan")
    data = edit(
        workbook_of(office_doc()),
        {(sheet, coordinate): -3, (fee_sheet, fee_coordinate): "abc", (sheet, "E7"): 2.5},
    )
    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_report", str(path))
    with pytest.raises(Exception) as refused:
        xlsx.read_workbook(data)
    messages = [f.message for f in refused.value.findings]
    assert f"表三 {coordinate}：不能为负数（表三 （一）予以公开 · 自然人）" in messages
    assert any(m.startswith(f"表二 {fee_coordinate}：应为非负数") for m in messages)
    assert any(m.startswith("表三 E7：应为整数") for m in messages)
    assert Report.objects.count() == 0


def test_whole_number_typed_as_float_is_accepted():
    sheet, coordinate = coordinate_of("app_granted_natural_person")
    data = edit(workbook_of(office_doc()), {(sheet, coordinate): 12.0})
    assert xlsx.read_workbook(data)["applications"]["granted"]["natural_person"] == 12


def test_workbook_without_key_map_is_refused():
    wb = load_workbook(io.BytesIO(workbook_of(office_doc())))
    del wb[xlsx.KEY_SHEET]
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(Exception, match="键值表"):
        xlsx.read_workbook(out.getvalue())


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def macro_workbook() -> bytes:
    data = workbook_of(office_doc())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0macro"
    return _zip(files)


@pytest.mark.parametrize(
    "content,reason",
    [
        (macro_workbook(), "含宏"),
        (_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), "不是XLSX"),
        (b"PK\x03\x04 this is not really a zip", "损坏"),
    ],
)
def test_macro_foreign_or_malformed_zip_is_refused_by_content(content, reason):
    with pytest.raises(Exception, match=reason):
        xlsx.read_workbook(content)


# --- views ----------------------------------------------------------------------------


@pytest.fixture
def office_draft(agencies):
    from reports.io.imports import import_document

    report, _ = import_document(complete_doc(office_doc()))
    return report


def _upload(client, report, data: bytes, name: str = "filled.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("reports:upload_xlsx", args=[report.pk]), {"file": upload})


@pytest.mark.django_db
def test_clerk_uploads_filled_workbook_and_figures_are_saved(client, alice, office_draft):
    sheet, coordinate = coordinate_of("app_granted_natural_person")
    data = edit(workbook_of(office_doc()), {(sheet, coordinate): 13, (sheet, "D5"): 37})
    client.force_login(alice)
    response = _upload(client, office_draft, data)
    assert response.status_code == 302
    office_draft.refresh_from_db()
    assert office_draft.app_granted_natural_person == 13
    assert office_draft.app_new_received_natural_person == 37
    # The narrative is not in the workbook and is kept.
    assert office_draft.problems == complete_doc(office_doc())["sections"]["problems"]


@pytest.mark.django_db
def test_upload_with_bad_cell_shows_the_cell_and_changes_nothing(client, alice, office_draft):
    sheet, coordinate = coordinate_of("app_granted_natural_person")
    data = edit(workbook_of(office_doc()), {(sheet, coordinate): "十二", (sheet, "D5"): 40})
    client.force_login(alice)
    response = _upload(client, office_draft, data)
    page = client.get(response["Location"]).getvalue().decode()
    assert f"表三 {coordinate}：应为非负整数" in page
    office_draft.refresh_from_db()
    assert office_draft.app_new_received_natural_person == 36


@pytest.mark.django_db
def test_upload_of_another_reports_workbook_is_refused(client, alice, office_draft):
    client.force_login(alice)
    response = _upload(client, office_draft, workbook_of(office_doc(2023)))
    page = client.get(response["Location"]).getvalue().decode()
    assert "与本报告" in page
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_upload_of_macro_or_oversized_file_is_refused_cleanly(
    client, alice, office_draft, settings
):
    client.force_login(alice)
    response = _upload(client, office_draft, macro_workbook(), "filled.xlsx")
    assert "含宏" in client.get(response["Location"]).getvalue().decode()
    response = _upload(client, office_draft, b"0" * (MAX_UPLOAD_BYTES + 1), "big.xlsx")
    assert "文件过大" in client.get(response["Location"]).getvalue().decode()
    response = _upload(client, office_draft, "本年度报告".encode(), "renamed.xlsx")
    assert "只接受XLSX" in client.get(response["Location"]).getvalue().decode()
    office_draft.refresh_from_db()
    assert office_draft.app_new_received_natural_person == 36


@pytest.mark.django_db
def test_upload_is_refused_on_a_submitted_report(client, alice, office_draft):
    office_draft.status = Status.SUBMITTED
    office_draft.save()
    client.force_login(alice)
    data = edit(workbook_of(office_doc()), {("表三", "D5"): 40})
    assert _upload(client, office_draft, data).status_code == 403
    office_draft.refresh_from_db()
    assert office_draft.app_new_received_natural_person == 36


@pytest.mark.django_db
def test_reviewer_and_outsider_cannot_upload(client, bob, mallory, office_draft):
    data = edit(workbook_of(office_doc()), {("表三", "D5"): 40})
    client.force_login(bob)
    assert _upload(client, office_draft, data).status_code == 403
    client.force_login(mallory)
    assert _upload(client, office_draft, data).status_code == 404
    office_draft.refresh_from_db()
    assert office_draft.app_new_received_natural_person == 36


@pytest.mark.django_db
def test_upload_with_get_is_not_allowed(client, alice, office_draft):
    client.force_login(alice)
    assert client.get(reverse("reports:upload_xlsx", args=[office_draft.pk])).status_code == 405


@pytest.mark.django_db
def test_download_filled_and_blank_workbook(
    client, carol, office_draft, django_assert_max_num_queries
):
    client.force_login(carol)
    url = reverse("reports:xlsx", args=[office_draft.pk])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(response.getvalue()))
    assert wb["表三"]["D5"].value == 36
    blank = client.get(url + "?blank=1")
    assert load_workbook(io.BytesIO(blank.getvalue()))["表三"]["D5"].value is None


@pytest.mark.django_db
def test_outsider_cannot_download_and_post_is_not_allowed(client, mallory, alice, office_draft):
    url = reverse("reports:xlsx", args=[office_draft.pk])
    client.force_login(mallory)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert client.post(url).status_code == 405


@pytest.mark.django_db
def test_report_page_offers_download_and_upload(client, alice, office_draft):
    client.force_login(alice)
    page = client.get(office_draft.get_absolute_url()).getvalue().decode()
    assert 'id="download-xlsx"' in page and 'id="xlsx-upload"' in page


@pytest.mark.django_db
def test_total_typed_over_its_formula_that_disagrees_is_refused(tmp_path):
    sheet, coordinate = coordinate_of("app_new_received_total")
    data = edit(workbook_of(office_doc()), {(sheet, coordinate): 60})
    path = tmp_path / "total.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_report", str(path))
    from reports.io.errors import ImportRefused
    from reports.io.imports import import_bytes

    with pytest.raises(ImportRefused) as refused:
        import_bytes(data, "total.xlsx")
    assert [f.rule for f in refused.value.findings] == ["R2"]
    assert Report.objects.count() == 0
