"""The oversight page of a region's findings: open findings of the whole subtree by
rule, agency and severity, filterable, paged, exported as XLSX; bounded queries for a
generated region of 3,000 agencies."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.demo.generate import generate
from reports.models import (
    Agency,
    ExportJob,
    JobKind,
    JobStatus,
    Report,
    StoredFinding,
    Verdict,
    triage,
)
from tests.helpers import import_seed, make_report

URL = reverse("oversight:findings")
XLSX = reverse("oversight:findings_xlsx")


@pytest.fixture
def region(agencies):
    """2023: the office's report with R1 twice (自然人, 总计), the finance centre's draft
    with blank cells (R5 ×3); 卫东区 (outside carol's subtree) with R1 too."""
    office = import_seed(1, complete=True)
    office.app_new_received_natural_person += 1
    office.save()
    finance = make_report(agencies["finance"], year=2023)
    outside = make_report(agencies["weidong"], year=2023, app_new_received_natural_person=5)
    return {"office": office, "finance": finance, "outside": outside}


def rows_of(response) -> list[tuple[str, str]]:
    return [(f.agency_name, f.rule) for f in response.context["page"]]


def test_carol_sees_the_open_findings_of_her_whole_subtree(client, carol, region):
    client.force_login(carol)
    response = client.get(URL, {"year": 2023})
    assert response.status_code == 200
    rows = rows_of(response)
    office = "宁波市镇海区人民政府办公室"
    assert rows.count((office, "R1")) == 2
    assert {a for a, _ in rows} == {office, "宁波市镇海区金融发展服务中心"}
    stored = StoredFinding.objects.filter(report__agency__path__startswith=carol.agency.path)
    assert response.context["summary"].by_triage["open"] == stored.count() == len(rows)
    assert "卫东区金融工作局" not in response.content.decode()


def test_findings_filter_by_rule_and_severity_and_a_dismissed_one_leaves_the_open_list(
    client, carol, region
):
    office = region["office"]
    first = StoredFinding.objects.filter(report=office, rule="R1").first()
    triage.mark(carol, office, first.fingerprint, Verdict.DISMISSED, "已核实")
    client.force_login(carol)
    only_r1 = rows_of(client.get(URL, {"year": 2023, "rule": "R1"}))
    assert only_r1 == [("宁波市镇海区人民政府办公室", "R1")]
    dismissed = client.get(URL, {"year": 2023, "triage": "dismissed"})
    assert [f.fingerprint for f in dismissed.context["page"]] == [first.fingerprint]
    assert "已标记不是问题" in dismissed.content.decode()  # folded, not deleted
    warnings = rows_of(client.get(URL, {"year": 2023, "severity": "warning"}))
    assert all(r != "R1" for _, r in warnings)


def test_unknown_filter_values_are_ignored_and_a_foreign_region_is_not_found(
    client, carol, region, agencies
):
    client.force_login(carol)
    response = client.get(URL, {"year": "x", "rule": "R99", "severity": "bad", "page": "z"})
    assert response.status_code == 200
    for cursor in ("1-2", "a-b-c", "-1-2-3", "9" * 40 + "-1-1"):
        response = client.get(URL, {"after": cursor, "before": cursor})
        assert response.status_code == 200
    assert client.get(URL, {"within": agencies["weidong"].pk}).status_code == 404


def test_only_oversight_users_see_the_findings_page_and_it_is_get_only(
    client, alice, mallory, carol, region
):
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    client.force_login(mallory)
    assert client.get(URL).status_code == 403
    assert client.get(XLSX).status_code == 403
    client.force_login(carol)
    assert client.post(URL).status_code == 405
    assert client.put(XLSX).status_code == 405
    assert not ExportJob.objects.exists()


def test_the_xlsx_lists_every_filtered_finding_and_quotes_formulas_typed_by_people(
    client, carol, region
):
    office = region["office"]
    first = StoredFinding.objects.filter(report=office, rule="R1").first()
    triage.mark(carol, office, first.fingerprint, Verdict.CONFIRMED, '=HYPERLINK("x")')
    client.force_login(carol)
    response = client.get(XLSX, {"year": 2023, "triage": "all"})
    assert response.status_code == 200
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["机关", "规则", "级别", "问题", "状态", "标记理由"]
    subtree = StoredFinding.objects.filter(report__agency__path__startswith=carol.agency.path)
    assert len(rows) - 1 == subtree.count()
    confirmed = [r for r in rows[1:] if r[4] == "确认问题"]
    assert [r[5] for r in confirmed] == ['\'=HYPERLINK("x")']
    assert all(r[4] == "待处理" and r[5] is None for r in rows[1:] if r not in confirmed)


def test_the_pages_list_every_open_finding_once_forwards_and_back_again(
    client, carol, region, monkeypatch
):
    from reports.oversight import findings

    monkeypatch.setattr(findings, "PAGE_SIZE", 2)
    client.force_login(carol)
    walked, pages = [], []
    query = {"year": 2023}
    while True:
        page = client.get(URL, query).context["page"]
        pages.append([f.pk for f in page])
        walked += [f.pk for f in page]
        if not page.after:
            break
        query = {"year": 2023, "after": page.after}
    subtree = StoredFinding.objects.filter(report__agency__path__startswith=carol.agency.path)
    assert sorted(walked) == sorted(subtree.values_list("pk", flat=True))
    assert len(walked) == len(set(walked)) and len(pages) > 2
    # Worst first: the office's R1 errors before the finance centre's R5 warnings.
    rules = [StoredFinding.objects.get(pk=pk).rule for pk in walked]
    assert rules.index("R1") < rules.index("R5")
    back = []
    while page.before:
        page = client.get(URL, {"year": 2023, "before": page.before}).context["page"]
        back.append([f.pk for f in page])
    assert back == pages[-2::-1]


def test_the_counts_follow_a_mark_and_the_change_of_figures_that_lapses_it(client, carol, region):
    from reports.models import RegionTotal, regions

    office = region["office"]
    r1 = StoredFinding.objects.filter(report=office, rule="R1")
    assert r1.count() == 2
    client.force_login(carol)

    def counts() -> tuple[int, int, int, int]:
        summary = client.get(URL, {"year": 2023, "rule": "R1"}).context["summary"]
        t = summary.by_triage
        return t["open"], t["confirmed"], t["dismissed"], summary.agencies_with_open

    assert counts() == (2, 0, 0, 1)
    one, other = r1.order_by("pk")
    triage.mark(carol, office, one.fingerprint, Verdict.CONFIRMED, "数字有误")
    assert counts() == (1, 1, 0, 1)
    triage.mark(carol, office, other.fingerprint, Verdict.DISMISSED, "已核实")
    assert counts() == (0, 1, 1, 0)  # no agency left with an open R1
    # The clerk changes 自然人 again: both marks judged other figures and lapse.
    office.app_new_received_natural_person += 1
    office.save()
    assert counts() == (2, 0, 0, 1)
    stored = RegionTotal.objects.get(agency=carol.agency, year=2023).totals()
    live = regions.live(
        Report.objects.current().filter(agency__path__startswith=carol.agency.path),
        carol.agency.subtree(),
        2023,
    )
    assert (stored.findings, stored.open_agencies) == (live.findings, live.open_agencies)


# --- a generated region of 3,000 agencies -------------------------------------------

BIG = "三千机关测试市人民政府"


@pytest.fixture
def big_region(db):
    """3,000 agencies, two years of reports with their stored findings. Generated in
    the test's transaction, so the rollback removes it at no cost (a delete of 6,000
    reports through the ORM takes minutes)."""
    return generate(3000, years=2, last_year=2024, root_name=BIG, seed=3).root


def test_the_findings_page_and_the_circular_of_3000_agencies_cost_a_bounded_number_of_queries(
    client, big_region, django_assert_max_num_queries
):
    from reports.models import Role, User

    user = User.objects.create_user("big-oversight", role=Role.OVERSIGHT, agency=big_region)
    client.force_login(user)
    stored = StoredFinding.objects.filter(report__agency__path__startswith=big_region.path)
    assert stored.filter(report__year=2024).count() > 100  # something to page through
    # Session, user, the region's stored totals, the page's rows, the sub-regions, the
    # unread notices: the same whatever the region's size.
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"year": 2024})
    assert response.status_code == 200
    first = response.context["page"]
    assert len(first.findings) == 50
    assert first.total == stored.filter(report__year=2024, report__is_current=True).count()
    # Counts past a thousand are grouped by thousands, as statistical tables print them.
    assert first.total >= 1000
    assert f'id="findings-count">共{first.total:,}条<' in response.content.decode()
    home = client.get(reverse("oversight:home"), {"year": 2024}).content.decode()
    assert 'id="summary-total">2,999<' in home
    r9 = client.get(URL, {"year": 2024, "rule": "R9"}).context["page"]
    assert r9.after, "more than one page of R9"
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"year": 2024, "rule": "R9", "after": r9.after})
    assert response.status_code == 200
    second = response.context["page"]
    assert {f.rule for f in second} == {"R9"}
    assert not {f.pk for f in second} & {f.pk for f in r9}
    with django_assert_max_num_queries(5):
        response = client.get(XLSX, {"year": 2024})
    assert response.status_code == 200
    # The 通报 of the same region: the region checks' five queries, the status summary,
    # the late reports, the open errors, session and user; its XLSX the same.
    for url in (reverse("oversight:circular"), reverse("oversight:circular_export", args=["xlsx"])):
        with django_assert_max_num_queries(12):
            response = client.get(url, {"year": 2024})
        assert response.status_code == 200
    reports = Report.objects.current().filter(year=2024, agency__path__startswith=big_region.path)
    assert Agency.objects.filter(path__startswith=big_region.path).count() == 3000
    assert reports.count() > 2000


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _xlsx_rows(body: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True))


def test_a_list_too_long_for_a_request_is_exported_by_the_worker_with_the_same_rows(
    client, carol, mallory, region, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from reports.oversight import xlsx

    settings.TASKS = IMMEDIATE
    client.force_login(carol)
    query = {"year": 2023, "triage": "all"}
    in_request = _xlsx_rows(b"".join(client.get(XLSX, query).streaming_content))
    subtree = StoredFinding.objects.filter(report__agency__path__startswith=carol.agency.path)
    count = subtree.count()
    assert len(in_request) == 1 + count and count > 5
    monkeypatch.setattr(xlsx, "ROWS_IN_REQUEST", 5)
    # The page offers the export as a job; a link followed anyway says so, and starts none.
    page = client.get(URL, query).getvalue().decode()
    assert "后台导出XLSX" in page and 'method="post"' in page
    refused = client.get(XLSX, query)
    assert refused.status_code == 302 and refused["Location"].startswith(URL)
    assert not ExportJob.objects.exists()
    assert f"共{count}条检查发现" in client.get(refused["Location"]).getvalue().decode()
    # An outsider's POST starts nothing.
    client.force_login(mallory)
    assert client.post(XLSX, query).status_code == 403
    assert not ExportJob.objects.exists()
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(XLSX, query)
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert (job.kind, job.year, job.agency_id) == (JobKind.FINDINGS_XLSX, 2023, carol.agency_id)
    assert job.params == {"rule": "", "severity": "", "triage": "all"}
    assert job.status == JobStatus.DONE and job.progress == job.total == count
    assert job.filename == "宁波市镇海区人民政府2023年度报告检查发现（全部）.xlsx"
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert _xlsx_rows(download.getvalue()) == in_request


def test_an_export_job_keeps_the_pages_filters(
    client, carol, region, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(XLSX, {"year": 2023, "rule": "R5", "triage": "open"})
    job = ExportJob.objects.get()
    rows = _xlsx_rows(bytes(job.content))
    assert [r[1].split()[0] for r in rows[1:]] == ["R5", "R5", "R5"]
    assert {r[0] for r in rows[1:]} == {"宁波市镇海区金融发展服务中心"}
    assert job.filename == "宁波市镇海区人民政府2023年度报告检查发现（待处理）.xlsx"
