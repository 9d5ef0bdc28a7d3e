"""The roll-up: the three tables summed by the database over a subtree, the command and
the page."""

import json
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Agency, Report
from reports.oversight import rollup
from reports.spec import schema
from tests.helpers import import_seed, load_seed, make_report
from tests.pdf_checks import pdf_text


@pytest.fixture
def region(agencies):
    office = import_seed(1, complete=True)  # 宁波市镇海区人民政府办公室
    finance = import_seed(0, complete=True)  # 宁波市镇海区金融发展服务中心
    finance.app_new_received_natural_person = 3
    finance.app_granted_natural_person = 3
    finance.ad_fees_10k_yuan = Decimal("0.012345")
    finance.save()
    weidong = import_seed(4, complete=True)  # outside zhenhai
    return {"office": office, "finance": finance, "weidong": weidong}


def test_the_rollup_sums_every_cell_and_derives_totals(region, agencies):
    result = rollup.compute(2023, agencies["zhenhai"])
    apps = result.figures["applications"]
    seed = load_seed(1)["applications"]
    assert apps["new_received"]["natural_person"] == seed["new_received"]["natural_person"] + 3
    assert apps["new_received"]["total"] == seed["new_received"]["total"] + 3
    assert apps["handled_total"]["total"] == seed["handled_total"]["total"] + 3
    assert result.figures["active_disclosure"]["normative_documents"]["in_force"] == 116
    assert result.figures["active_disclosure"]["fees_10k_yuan"] == Decimal("0.012345")
    assert [i["agency"] for i in result.included] == [
        "宁波市镇海区人民政府办公室",
        "宁波市镇海区金融发展服务中心",
    ]
    assert result.missing == ["宁波市镇海区人民政府"] and result.missing_count == 1
    assert result.reports == 2 and result.status_counts["draft"] == 2
    assert result.blank_cells == []


def test_a_page_sized_rollup_lists_only_the_first_agencies_but_sums_them_all(region, agencies):
    for i in range(5):
        make_report(Agency.objects.create(name=f"部门{i}", parent=agencies["zhenhai"]), 2023)
    Agency.objects.create(name="未报送部门", parent=agencies["zhenhai"])
    result = rollup.compute(2023, agencies["zhenhai"], limit=3)
    assert len(result.included) == 3 and result.reports == 7 and result.included_truncated
    assert result.missing_count == 2 and not result.missing_truncated
    assert result.figures["applications"]["new_received"]["total"] == 55


def test_the_rollup_without_parent_covers_every_agency(region):
    result = rollup.compute(2023)
    assert len(result.included) == 3
    assert result.scope == "全部机关"


def test_blank_cells_count_as_zero_and_are_listed_with_their_agencies(region, agencies):
    make_report(agencies["zhenhai"], year=2023, figures={"app_new_received_natural_person": 4})
    result = rollup.compute(2023, agencies["zhenhai"])
    assert result.missing == []
    assert result.figures["applications"]["new_received"]["natural_person"] == 36 + 3 + 4
    blank = {b.cell.field: b for b in result.blank_cells}
    assert "app_new_received_natural_person" not in blank
    assert blank["app_granted_research"].reports == 1
    assert blank["app_granted_research"].agencies == ["宁波市镇海区人民政府"]
    assert len(blank) == len(schema.STORED_CELLS) - 1


def test_the_rollup_is_computed_in_a_constant_number_of_queries(
    region, agencies, django_assert_max_num_queries
):
    for i in range(20):
        agency = Agency.objects.create(name=f"部门{i}", parent=agencies["zhenhai"])
        make_report(agency, year=2023)
    with django_assert_max_num_queries(5):
        result = rollup.compute(2023, agencies["zhenhai"])
    assert len(result.included) == 22


def test_rollup_command_writes_json_in_the_interchange_format(region, tmp_path):
    out = tmp_path / "r.json"
    call_command(
        "rollup",
        "--year",
        "2023",
        "--parent",
        "宁波市镇海区人民政府",
        "--format",
        "json",
        "--output",
        str(out),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["agency"] == "宁波市镇海区人民政府" and data["year"] == 2023
    assert set(data["applications"]) == {r.key for r in schema.APPLICATION_ROWS}
    assert data["applications"]["new_received"]["total"] == 55
    assert data["active_disclosure"]["fees_10k_yuan"] == "0.012345"
    assert data["rollup"]["missing"] == ["宁波市镇海区人民政府"]
    assert data["rollup"]["reports"] == 2

    everything = tmp_path / "all.json"
    call_command("rollup", "--year", "2023", "--format", "json", "--output", str(everything))
    assert json.loads(everything.read_text(encoding="utf-8"))["rollup"]["reports"] == 3


def test_rollup_command_writes_the_official_table_layout_to_xlsx(region, tmp_path):
    out = tmp_path / "r.xlsx"
    call_command(
        "rollup",
        "--year",
        "2023",
        "--parent",
        "宁波市镇海区人民政府",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    sheet = load_workbook(out)["汇总"]
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert schema.CORNER_NOTE in values and "（七）总计" in values
    assert 55 in values  # new_received total
    assert any("D" in str(m) for m in sheet.merged_cells.ranges)


def test_rollup_command_refuses_an_unknown_parent(region, tmp_path):
    with pytest.raises(CommandError, match="没有名为"):
        call_command(
            "rollup",
            "--year",
            "2023",
            "--parent",
            "不存在的机关",
            "--format",
            "json",
            "--output",
            str(tmp_path / "x.json"),
        )


def test_rollup_pdf_is_the_official_layout_with_the_summed_figures(region, tmp_path, settings):

    settings.MEDIA_ROOT = tmp_path / "media"
    out = tmp_path / "r.pdf"
    call_command("rollup", "--year", "2023", "--format", "pdf", "--output", str(out))
    text = pdf_text(out.read_bytes())
    assert "三、收到和处理政府信息公开申请情况" in text
    summed = rollup.compute(2023).figures["applications"]["new_received"]["total"]
    assert summed > 0
    assert str(summed) in text


# --- the page ---------------------------------------------------------------------


def test_oversight_user_sees_the_rollup_tables_and_the_missing_agencies(client, carol, region):
    client.force_login(carol)
    response = client.get(reverse("oversight:rollup"), {"year": 2023})
    assert response.status_code == 200
    html = response.getvalue().decode()
    assert "宁波市镇海区人民政府2023年政府信息公开工作年度报告汇总" in html
    assert 'id="table-applications"' in html and schema.CORNER_NOTE in html
    assert response.context["rollup"].figures["applications"]["new_received"]["total"] == 55
    assert "卫东区金融工作局" not in html


def test_the_rollup_page_downloads_xlsx_and_json(client, carol, region):
    client.force_login(carol)
    url = reverse("oversight:rollup_export", args=["json"])
    data = json.loads(client.get(url, {"year": 2023}).getvalue())
    assert data["applications"]["new_received"]["total"] == 55
    url = reverse("oversight:rollup_export", args=["xlsx"])
    book = load_workbook(BytesIO(client.get(url, {"year": 2023}).getvalue()))
    assert book.sheetnames == ["汇总", "纳入与未报送", "空白单元格"]
    assert client.get(reverse("oversight:rollup_export", args=["csv"])).status_code == 404


def _sheets(body: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(BytesIO(body))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_a_rollup_too_long_for_a_request_is_written_by_the_worker_as_the_same_workbook(
    client,
    carol,
    mallory,
    region,
    agencies,
    monkeypatch,
    settings,
    django_capture_on_commit_callbacks,
):
    from reports.models import ExportJob, JobKind, JobStatus
    from reports.oversight import xlsx

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(carol)
    url = reverse("oversight:rollup_export", args=["xlsx"])
    in_request = _sheets(client.get(url, {"year": 2023}).getvalue())
    # Two reports included (办公室, 金融发展服务中心), the government's own missing.
    included = [row[0] for row in in_request["纳入与未报送"][1:]]
    assert included == ["宁波市镇海区人民政府办公室", "宁波市镇海区金融发展服务中心"]
    monkeypatch.setattr(xlsx, "ROWS_IN_REQUEST", 1)
    page = client.get(reverse("oversight:rollup"), {"year": 2023}).getvalue().decode()
    assert "后台导出XLSX" in page and f'action="{url}"' in page
    # A link followed anyway goes back to the page, saying why, and starts nothing.
    refused = client.get(url, {"year": 2023})
    assert refused.status_code == 302 and refused["Location"].startswith(
        reverse("oversight:rollup")
    )
    assert "共2行机关名单" in client.get(refused["Location"]).getvalue().decode()
    # Outsiders, a region outside the user's and the other formats start nothing.
    client.force_login(mallory)
    assert client.post(url, {"year": 2023}).status_code == 403
    client.force_login(carol)
    assert client.post(url, {"year": 2023, "parent": agencies["weidong"].pk}).status_code == 404
    json_url = reverse("oversight:rollup_export", args=["json"])
    assert client.post(json_url, {"year": 2023}).status_code == 405
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": 2023, "parent": agencies["zhenhai"].pk})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert (job.kind, job.year, job.agency_id) == (
        JobKind.ROLLUP_XLSX,
        2023,
        agencies["zhenhai"].pk,
    )
    assert job.status == JobStatus.DONE and job.progress == job.total == 2
    assert job.filename == "宁波市镇海区人民政府2023年政府信息公开工作年度报告汇总.xlsx"
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert _sheets(download.getvalue()) == in_request


def test_the_rollup_page_downloads_the_pdf(client, carol, region, settings, tmp_path):

    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(carol)
    page = client.get(reverse("oversight:rollup"), {"year": 2023}).getvalue().decode()
    assert 'id="rollup-pdf"' in page
    response = client.get(reverse("oversight:rollup_export", args=["pdf"]), {"year": 2023})
    assert response["Content-Type"] == "application/pdf"
    assert "四、结转下年度继续办理" in pdf_text(response.getvalue())


def test_a_parent_outside_the_oversight_subtree_is_a_404(client, carol, region, agencies):
    client.force_login(carol)
    response = client.get(reverse("oversight:rollup"), {"parent": agencies["weidong"].pk})
    assert response.status_code == 404
    office = client.get(
        reverse("oversight:rollup"), {"year": 2023, "parent": agencies["office"].pk}
    )
    assert office.context["rollup"].included[0]["agency"] == "宁波市镇海区人民政府办公室"


def test_clerks_may_not_see_the_rollup(client, alice, mallory, region):
    for user in (alice, mallory):
        client.force_login(user)
        assert client.get(reverse("oversight:rollup")).status_code == 403


def test_the_rollup_page_refuses_post(client, carol, region):
    client.force_login(carol)
    before = Report.objects.count()
    assert client.post(reverse("oversight:rollup"), {"year": 2023}).status_code == 405
    assert Report.objects.count() == before


@pytest.mark.parametrize("extra", [5, 50])
def test_the_rollup_page_costs_the_same_queries_for_5_or_50_agencies(
    client, carol, region, agencies, extra, django_assert_max_num_queries
):
    for i in range(extra):
        agency = Agency.objects.create(name=f"部门{i}", parent=agencies["zhenhai"])
        if i % 2:
            make_report(agency, year=2023)
    client.force_login(carol)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("oversight:rollup"), {"year": 2023})
    assert response.context["rollup"].missing_count == 1 + extra - extra // 2


def test_blank_cells_are_found_even_before_their_counts_are_stored(region, agencies):
    make_report(agencies["zhenhai"], year=2023)
    Report.objects.update(blank_count=None)
    result = rollup.compute(2023, agencies["zhenhai"])
    assert len(result.blank_cells) == len(schema.STORED_CELLS)
    assert all(b.reports == 1 for b in result.blank_cells)


def test_the_rollup_page_names_the_agencies_that_left_cells_blank(client, carol, region, agencies):
    make_report(agencies["zhenhai"], year=2023)
    client.force_login(carol)
    response = client.get(reverse("oversight:rollup"), {"year": 2023})
    html = response.getvalue().decode()
    assert f"宁波市镇海区人民政府（{len(schema.STORED_CELLS)}个单元格）" in html


def test_the_xlsx_merges_cells_as_the_official_matrix_does(region, tmp_path):
    out = tmp_path / "r.xlsx"
    call_command("rollup", "--year", "2023", "--format", "xlsx", "--output", str(out))
    sheet = load_workbook(out)["汇总"]
    spans = {}
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(row=merged.min_row, column=merged.min_col).value
        spans[value] = (merged.max_row - merged.min_row + 1, merged.max_col - merged.min_col + 1)
    results_rows = sum(1 for r in schema.APPLICATION_ROWS if r.in_results)
    assert spans[schema.CORNER_NOTE] == (3, 3)
    assert spans[schema.APPLICANT_BANNER] == (1, len(schema.APPLICATION_COLUMNS))
    assert spans[schema.LEGAL_PERSON_GROUP] == (1, 5)
    assert spans[schema.RESULTS_BANNER] == (results_rows, 1)
    assert spans["（三）不予公开"] == (8, 1)
    assert spans["行政诉讼"] == (1, 10)
