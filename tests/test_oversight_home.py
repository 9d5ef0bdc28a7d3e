"""The oversight home: every agency beneath the office, its report's state, lateness,
finding counts, filters, sorting, the XLSX, and a constant number of queries."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Agency, ExportJob, JobKind, JobStatus, Status
from tests.helpers import import_seed, make_report

URL = reverse("oversight:home")


@pytest.fixture
def region(agencies):
    """Seed 001 (office) published late, seed 000 (finance) submitted, a draft below a
    new sub-department, and one department without a report."""
    office = import_seed(1, complete=True)
    office.status, office.published_on = Status.PUBLISHED, date(2024, 2, 5)
    office.save()
    finance = import_seed(0, complete=True)
    finance.status = Status.SUBMITTED
    finance.save()
    bureau = Agency.objects.create(name="宁波市镇海区教育局", parent=agencies["zhenhai"])
    school = Agency.objects.create(name="宁波市镇海区教育局直属学校", parent=bureau)
    make_report(school, year=2023)
    return {"office": office, "finance": finance, "bureau": bureau, "school": school}


def rows_of(response) -> dict[str, object]:
    return {a.name: a for a in response.context["page"]}


def test_oversight_user_sees_every_agency_beneath_with_status_and_dates(client, carol, region):
    client.force_login(carol)
    response = client.get(URL, {"year": 2023})
    assert response.status_code == 200
    rows = rows_of(response)
    assert set(rows) == {
        "宁波市镇海区人民政府办公室",
        "宁波市镇海区金融发展服务中心",
        "宁波市镇海区教育局",
        "宁波市镇海区教育局直属学校",
    }
    office = rows["宁波市镇海区人民政府办公室"]
    assert office.status_label == "已发布" and office.published_on == date(2024, 2, 5)
    assert office.lateness == "late"
    assert rows["宁波市镇海区教育局"].status_label == "未开始"
    assert rows["宁波市镇海区教育局"].lateness == "overdue"  # no report and past 31 January
    assert rows["宁波市镇海区金融发展服务中心"].status_label == "待审核"
    assert rows["宁波市镇海区教育局直属学校"].error_count > 0
    assert office.error_count == 0
    summary = response.context["summary"]
    # Late: the office published after 31 January; the other three are unpublished past it.
    assert summary.total == 4 and summary.complete == 1 and summary.late == 4
    html = response.getvalue().decode()
    assert "卫东区金融工作局" not in html
    assert reverse("reports:detail", args=[region["office"].pk]) in html
    assert "<svg" in html and "报告状态分布" in html


def test_filters_by_status_lateness_findings_and_name(client, carol, region):
    client.force_login(carol)
    assert set(rows_of(client.get(URL, {"year": 2023, "status": "not_started"}))) == {
        "宁波市镇海区教育局"
    }
    assert set(rows_of(client.get(URL, {"year": 2023, "status": "submitted"}))) == {
        "宁波市镇海区金融发展服务中心"
    }
    assert set(rows_of(client.get(URL, {"year": 2023, "findings": "errors"}))) == {
        "宁波市镇海区教育局直属学校"
    }
    assert set(rows_of(client.get(URL, {"year": 2023, "q": "教育局"}))) == {
        "宁波市镇海区教育局",
        "宁波市镇海区教育局直属学校",
    }
    late = rows_of(client.get(URL, {"year": 2023, "late": "yes"}))
    assert "宁波市镇海区人民政府办公室" in late


def test_sorting_by_errors_puts_the_most_errors_first_and_reverses(client, carol, region):
    client.force_login(carol)
    names = list(rows_of(client.get(URL, {"year": 2023, "sort": "-errors"})))
    assert names[0] == "宁波市镇海区教育局直属学校"
    names = list(rows_of(client.get(URL, {"year": 2023, "sort": "status"})))
    assert names[0] == "宁波市镇海区教育局"  # 未开始 first
    assert names[-1] == "宁波市镇海区人民政府办公室"  # 已发布 last


def test_xlsx_lists_the_filtered_table(client, carol, region):
    client.force_login(carol)
    response = client.get(reverse("oversight:home_xlsx"), {"year": 2023, "sort": "name"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("机关", "上级机关", "状态")
    by_name = {r[0]: r for r in rows[1:]}
    assert len(by_name) == 4
    assert by_name["宁波市镇海区人民政府办公室"][2] == "已发布"
    assert by_name["宁波市镇海区人民政府办公室"][6] == "逾期发布"
    assert by_name["宁波市镇海区教育局"][2] == "未开始"


def test_clerks_and_reviewers_may_not_open_the_oversight_home(client, alice, bob, region):
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(reverse("oversight:home_xlsx")).status_code == 403


def test_anonymous_users_are_sent_to_login(client, region):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_oversight_home_refuses_post(client, carol, region):
    client.force_login(carol)
    assert client.post(URL, {"year": 2023}).status_code == 405
    assert Agency.objects.count() == 6  # nothing created or changed


def _grow(parent: Agency, n: int) -> None:
    for i in range(n):
        agency = Agency.objects.create(name=f"镇海区测试部门{i:03d}", parent=parent)
        if i % 2:
            make_report(agency, year=2023)


@pytest.mark.parametrize("extra", [5, 50])
def test_the_oversight_home_costs_the_same_queries_for_5_or_50_agencies(
    client, carol, agencies, extra, django_assert_max_num_queries
):
    _grow(agencies["zhenhai"], extra)
    client.force_login(carol)
    # 10: the region chart asks for the region's agencies first (charts.CHART_BY_ID).
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"year": 2023})
    assert response.status_code == 200
    assert response.context["summary"].total == 2 + extra


@pytest.mark.parametrize("extra", [5, 50])
def test_the_xlsx_of_the_table_costs_the_same_queries_for_5_or_50_agencies(
    client, carol, agencies, extra, django_assert_max_num_queries
):
    _grow(agencies["zhenhai"], extra)
    client.force_login(carol)
    # The session and user, the table's rows, and the region's stored count, which
    # says whether the request may write it (up to xlsx.ROWS_IN_REQUEST rows).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("oversight:home_xlsx"), {"year": 2023})
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 2 + extra


def test_the_table_narrows_to_one_sub_region_and_refuses_one_outside(
    client, carol, region, agencies
):
    client.force_login(carol)
    response = client.get(URL, {"year": 2023, "within": region["bureau"].pk})
    assert set(rows_of(response)) == {"宁波市镇海区教育局", "宁波市镇海区教育局直属学校"}
    assert [r.name for r in response.context["regions"].options] == ["宁波市镇海区教育局"]
    outside = client.get(URL, {"year": 2023, "within": agencies["weidong"].pk})
    assert outside.status_code == 404


def test_submission_date_comes_from_the_workflow_event_log(client, alice, carol, agencies):
    from django.utils import timezone

    from reports.models.workflow import ReportEvent

    report = import_seed(1, complete=True)
    report.submit(alice)
    # A submission in the evening of 31 January, Beijing time, is dated 31 January.
    event = ReportEvent.objects.get(report=report, kind="submit")
    event.at = timezone.make_aware(timezone.datetime(2024, 1, 31, 22, 30))
    event.save()
    client.force_login(carol)
    rows = rows_of(client.get(URL, {"year": 2023}))
    assert rows["宁波市镇海区人民政府办公室"].submitted_on == date(2024, 1, 31)
    assert rows["宁波市镇海区金融发展服务中心"].submitted_on is None


def test_a_published_report_without_a_date_is_not_called_unpublished(client, carol, agencies):
    report = import_seed(1, complete=True)
    report.status, report.published_on = Status.PUBLISHED, None
    report.save()
    client.force_login(carol)
    rows = rows_of(client.get(URL, {"year": 2023}))
    office = rows["宁波市镇海区人民政府办公室"]
    assert office.lateness == "undated"
    assert office.lateness_label == "已发布，日期不详"


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_table_too_long_for_a_request_is_exported_by_the_worker_with_the_same_rows(
    client, carol, mallory, region, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from reports.oversight import xlsx

    settings.TASKS = IMMEDIATE
    client.force_login(carol)
    query = {"year": 2023, "sort": "-name", "q": "教育局"}
    xlsx_url = reverse("oversight:home_xlsx")
    in_request = list(load_workbook(BytesIO(client.get(xlsx_url, query).getvalue())).active.values)
    assert [r[0] for r in in_request[1:]] == ["宁波市镇海区教育局直属学校", "宁波市镇海区教育局"]
    monkeypatch.setattr(xlsx, "ROWS_IN_REQUEST", 1)
    page = client.get(URL, {"year": 2023}).getvalue().decode()
    assert "后台导出XLSX" in page
    refused = client.get(xlsx_url, query)
    assert refused.status_code == 302 and refused["Location"].startswith(URL)
    assert "共2个机关" in client.get(refused["Location"]).getvalue().decode()
    client.force_login(mallory)
    assert client.post(xlsx_url, query).status_code == 403
    assert not ExportJob.objects.exists()
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(xlsx_url, query)
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert (job.kind, job.year, job.agency_id) == (JobKind.PROGRESS_XLSX, 2023, carol.agency_id)
    assert job.params["q"] == "教育局" and job.params["sort"] == "-name"
    assert job.status == JobStatus.DONE and job.total == 2
    assert job.filename == "宁波市镇海区人民政府2023年度政府信息公开工作年度报告进度.xlsx"
    assert list(load_workbook(BytesIO(bytes(job.content))).active.values) == in_request
