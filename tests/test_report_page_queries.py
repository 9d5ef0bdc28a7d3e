"""The report page stays at a constant number of queries however large the region."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Agency, Annotation, Report, triage
from tests.helpers import import_seed, make_report, published_report, ready_report


@pytest.mark.parametrize("extra", [5, 50])
def test_report_page_costs_the_same_queries_for_5_or_50_agencies(
    client, carol, agencies, extra, django_assert_max_num_queries
):
    report = import_seed(1, complete=True)
    make_report(agencies["office"], year=2022, figures={"app_carried_forward_natural_person": 9})
    for i in range(extra):
        agency = Agency.objects.create(name=f"部门{i}", parent=agencies["zhenhai"])
        make_report(agency, year=2023)
    client.force_login(carol)
    # Session, user with agency, report, sub-sections, last year's document (2), the
    # narrative of the sibling agencies' reports for R16 (2), the triage marks, the
    # newest workflow events, the last submission's events and their count, the change
    # history of the report and of its sub-sections, the 批注, the last import log (none
    # here), the other revisions: a fixed set.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    # Last year's report was read and compared: it carried 9 forward for 自然人 (and so
    # 9 in 总计), the seed carries over 0 in both.
    r7 = [f.message for f in response.context["findings"] if f.rule == "R7"]
    assert len(r7) == 2
    assert all("为0" in m and "2022年度报告“四、结转下年度继续办理”为9" in m for m in r7)
    assert "2022年度报告“四、结转下年度继续办理”为9" in response.getvalue().decode()


def detail_queries(client, report) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries], response.getvalue().decode()


def test_a_clerks_draft_page_asks_for_no_marks_annotations_import_or_revisions(
    client, alice, agencies
):
    report = make_report(agencies["office"], year=2024)
    client.force_login(alice)
    queries, page = detail_queries(client, report)
    # Session, user, the report with whether it has events, marks, 批注 or an import
    # log, last year's and the siblings' reports, the sub-sections of 一, the report's
    # history and its sub-sections', the unread notices.
    assert len(queries) == 8
    for table in ("reportevent", "findingmark", "annotation", "importlog"):
        # Only inside the report's query, as an EXISTS (aliased U0).
        assert not any(re.search(f'FROM "reports_{table}"(?! U0)', sql) for sql in queries)
    assert 'id="revisions"' not in page


def test_the_report_page_still_shows_marks_annotations_import_and_revisions(
    client, alice, bob, agencies
):
    report = published_report(alice, bob)
    revision = report.start_revision(alice)
    finding = triage.StoredFinding.objects.filter(report=revision).first()
    assert finding is not None
    triage.mark(bob, revision, finding.fingerprint, triage.Verdict.CONFIRMED, "核实无误")
    Annotation.objects.create(report=revision, page="problems", author=bob, body="请补充")
    client.force_login(alice)
    _, page = detail_queries(client, revision)
    assert "核实无误" in page
    assert "请补充" in page
    assert 'id="revisions"' in page and "原版" in page


def test_the_report_page_after_a_save_shows_what_the_rules_find_now(client, alice):
    report = ready_report()  # balanced and complete: no finding at all
    client.force_login(alice)
    _, before = detail_queries(client, report)
    assert 'id="no-findings"' in before
    report = Report.objects.get(pk=report.pk)
    # 7 more new applications of natural persons than the table accounts for.
    report.app_new_received_natural_person += 7
    report.save()
    _, after = detail_queries(client, report)
    assert 'id="no-findings"' not in after
    assert 'data-rule="R1"' in after
    assert "表三“自然人”列勾稽关系不平衡" in after and "相差7。" in after


def _r16(client, report) -> list[str]:
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    return [f.message for f in response.context["findings"] if f.rule == "R16"]


def test_the_report_page_sees_a_siblings_narrative_as_it_changes_between_views(
    client, alice, agencies
):
    """The siblings' sub-sections are kept between views (``comparison``): a sibling's
    copy of this report's text, and its rewrite, are each seen on the next view."""
    report = ready_report()  # 宁波市镇海区人民政府办公室 2023, with its sub-sections of 一
    sibling = make_report(agencies["finance"], year=2023, problems=report.problems)
    client.force_login(alice)
    assert _r16(client, report) == []
    for section in report.general.all():
        sibling.general.create(
            position=section.position, heading=section.heading, body=section.body
        )
    sibling.save()
    copied = _r16(client, report)
    assert len(copied) == 1 and "宁波市镇海区金融发展服务中心2023年度报告相同" in copied[0]
    sibling.general.all().delete()
    sibling.general.create(position=1, heading="概述", body="本中心今年重点推进金融服务事项公开。")
    sibling.problems = "本中心存在的问题是信息更新不够及时，将建立每月核查制度。"
    sibling.save()
    assert _r16(client, report) == []
