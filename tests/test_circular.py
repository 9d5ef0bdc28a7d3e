"""The 通报 of a region: late and missing reports, reports with open errors, the ratios,
as a page in the official layout, a PDF and an XLSX."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Agency, Report, Status, Verdict, triage
from tests import pdf_checks
from tests.helpers import import_seed, make_report

PAGE = reverse("oversight:circular")


def export_url(fmt: str) -> str:
    return reverse("oversight:circular_export", args=[fmt])


@pytest.fixture
def region(agencies):
    """2023 under 镇海区人民政府: the office published on 5 February 2024 (late, the
    deadline being 31 January) with R1 twice; the finance centre has no report."""
    office = import_seed(1, complete=True)
    office.app_new_received_natural_person += 1
    office.save()
    Report.objects.filter(pk=office.pk).update(
        status=Status.PUBLISHED, published_on=date(2024, 2, 5)
    )
    return office


def test_the_circular_names_late_and_missing_reports_and_open_errors(client, carol, region):
    client.force_login(carol)
    response = client.get(PAGE, {"year": 2023})
    assert response.status_code == 200
    page = response.content.decode()
    assert "关于2023年度政府信息公开工作年度报告发布情况的通报" in page
    late = page.split('id="circular-late"')[1].split("</table>")[0]
    assert "宁波市镇海区人民政府办公室" in late and "2024年2月5日" in late and ">5<" in late
    assert "宁波市镇海区金融发展服务中心" in page.split('id="circular-missing"')[1][:200]
    errors = page.split('id="circular-errors"')[1].split("</table>")[0]
    assert "宁波市镇海区人民政府办公室" in errors and ">2<" in errors  # R1 ×2
    assert "卫东区金融工作局" not in page


def test_a_dismissed_error_leaves_the_circulars_open_errors(client, carol, region):
    for f in region.stored_findings.filter(rule="R1"):
        triage.mark(carol, region, f.fingerprint, Verdict.DISMISSED, "口径差异，已核实")
    client.force_login(carol)
    page = client.get(PAGE, {"year": 2023}).content.decode()
    assert 'id="circular-errors"' not in page
    assert "存在未处理错误的报告0份" in page


def test_the_circular_pdf_is_in_the_official_layout(client, carol, region):
    client.force_login(carol)
    response = client.get(export_url("pdf"), {"year": 2023})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    text = pdf_checks.squeeze(pdf_checks.pdf_text(data))
    assert "发布情况的通报" in text and "宁波市镇海区金融发展服务中心" in text
    assert "—1—" in text  # the page number of GB/T 9704
    page = pdf_checks.reader(data).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_the_circular_xlsx_has_a_sheet_per_list(client, carol, region):
    client.force_login(carol)
    response = client.get(export_url("xlsx"), {"year": 2023})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["逾期报告", "未填报", "未处理错误", "主要比率", "其他情况"]
    late = list(wb["逾期报告"].iter_rows(values_only=True))
    assert late[1] == ("宁波市镇海区人民政府办公室", "2024年2月5日", 5)
    assert [r[0] for r in wb["未填报"].iter_rows(min_row=2, values_only=True)] == [
        "宁波市镇海区金融发展服务中心"
    ]
    ratios = list(wb["主要比率"].iter_rows(min_row=2, values_only=True))
    # Seed 001 (with one more 自然人 received): (20 + 0) / 50 handled; 2 / 53 carried.
    assert ratios == [("宁波市镇海区人民政府办公室", 0.4, None, pytest.approx(2 / 53), None)]


def test_only_oversight_users_get_the_circular_and_it_is_get_only(
    client, alice, mallory, carol, region
):
    for user in (alice, mallory):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.get(export_url("pdf")).status_code == 403
    client.force_login(carol)
    assert client.post(PAGE).status_code == 405
    assert client.post(export_url("xlsx")).status_code == 405
    assert client.get(export_url("docx")).status_code == 404


def test_the_circular_speaks_to_the_level_beneath_the_office_not_to_the_sub_regions_departments(
    client, carol, region, agencies
):
    """镇海区's 通报 names a street office beneath it by its own report; the street
    office's department is in the street office's 通报."""
    street = Agency.objects.create(
        name="镇海区招宝山街道办事处", parent=agencies["zhenhai"], is_government=True
    )
    department = Agency.objects.create(name="招宝山街道党政办", parent=street)
    make_report(department, year=2023, app_new_received_natural_person=5)  # R1: an error
    client.force_login(carol)
    page = client.get(PAGE, {"year": 2023}).content.decode()
    missing = page.split('id="circular-missing"')[1].split("</p>")[0]
    assert "镇海区招宝山街道办事处" in missing and "宁波市镇海区金融发展服务中心" in missing
    assert "招宝山街道党政办" not in page
    # The office, the finance centre and the street office; one published.
    overview = page.split('id="circular-overview"')[1].split("</p>")[0]
    assert "应发布年度报告的机关3个，已发布1个" in overview
    assert "下级政府所属部门的情况由各下级政府通报" in page
    carol.agency = street
    carol.save()
    own = client.get(PAGE, {"year": 2023}).content.decode()
    errors = own.split('id="circular-errors"')[1].split("</table>")[0]
    assert "招宝山街道党政办" in errors
    assert "下级政府所属部门的情况由各下级政府通报" not in own
