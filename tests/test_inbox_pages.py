"""Every list of the inbox is bounded: the oversight list of late or missing reports in
keyset pages, the reviewer's and clerk's lists as their first reports and a count."""

from datetime import date

import pytest
from django.db import connection
from django.shortcuts import render
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Agency, Report, Status
from reports.oversight.inbox import PAGE_SIZE, inbox_for, oversight_dues
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


def departments(parent: Agency, n: int, start: int = 0) -> list[Agency]:
    return [
        Agency.objects.create(name=f"镇海区第{i:03d}部门", parent=parent)
        for i in range(start, start + n)
    ]


def inbox_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries), response.getvalue().decode()


def test_oversight_inbox_pages_through_every_missing_report_once(client, carol, agencies):
    # carol's government has two departments in the fixture; 60 more make two pages.
    departments(agencies["zhenhai"], 60)
    expected = set(
        Agency.objects.filter(path__startswith=agencies["zhenhai"].path)
        .exclude(pk=agencies["zhenhai"].pk)
        .values_list("name", flat=True)
    )
    client.force_login(carol)
    first = client.get(reverse("home"))
    dues = first.context["dues"]
    assert len(dues) == PAGE_SIZE
    assert dues.total == 62
    assert "共62个机关，本页列出50个" in first.getvalue().decode()
    second = client.get(reverse("home"), {"after": dues.next_after})
    assert second.context["dues"].next_after is None
    names = [d.agency.name for d in dues] + [d.agency.name for d in second.context["dues"]]
    assert len(names) == len(set(names)) == 62
    assert set(names) == expected


def test_oversight_inbox_costs_the_same_queries_for_3_or_103_agencies(client, carol, agencies):
    client.force_login(carol)
    small, _ = inbox_queries(client)
    departments(agencies["zhenhai"], 100)
    large, page = inbox_queries(client)
    assert small == large
    assert page.count('class="due') == PAGE_SIZE


def test_oversight_inbox_links_the_report_with_its_state(client, carol, agencies):
    year = timezone.localdate().year - 1
    report = make_report(agencies["office"], year)
    Report.objects.filter(pk=report.pk).update(status=Status.SUBMITTED)
    client.force_login(carol)
    page = client.get(reverse("home")).getvalue().decode()
    assert f'href="{reverse("reports:detail", args=[report.pk])}">待审核</a>' in page
    assert "尚未创建" in page  # the other department has no report


def test_a_page_of_dues_is_judged_as_the_whole_list_is(carol, agencies):
    office = make_report(agencies["office"], 2024)
    Report.objects.filter(pk=office.pk).update(
        status=Status.PUBLISHED, published_on=date(2025, 1, 20)
    )
    departments(agencies["zhenhai"], 3)
    # 10 February: the office published on time, the others are overdue.
    first = oversight_dues(carol, date(2025, 2, 10), size=2)
    rest = oversight_dues(carol, date(2025, 2, 10), after=first.next_after, size=2)
    listed = [d.agency.name for d in first] + [d.agency.name for d in rest]
    assert "宁波市镇海区人民政府办公室" not in listed
    assert len(listed) == first.total == 4
    assert all(d.is_overdue and d.days_overdue == 10 for d in [*first, *rest])
    # A publication after the day looked at has not happened yet.
    assert "宁波市镇海区人民政府办公室" in [
        d.agency.name for d in oversight_dues(carol, date(2025, 1, 15), size=10)
    ]


def test_outsider_inbox_lists_no_agency_of_another_tree(client, mallory, agencies):
    departments(agencies["zhenhai"], 3)
    client.force_login(mallory)
    page = client.get(reverse("home")).getvalue().decode()
    assert "镇海区第000部门" not in page
    assert "宁波市镇海区金融发展服务中心" not in page


def test_inbox_refuses_other_methods(client, carol):
    client.force_login(carol)
    assert client.post(reverse("home")).status_code == 405
    assert Report.objects.count() == 0


def test_reviewer_inbox_shows_the_first_reports_and_how_many_wait(rf, bob, agencies):
    for year in range(2015, 2020):
        report = make_report(agencies["office"], year)
        Report.objects.filter(pk=report.pk).update(status=Status.SUBMITTED)
    inbox = inbox_for(bob, date(2025, 2, 10), size=3)
    assert [r.year for r in inbox["to_review"]] == [2019, 2018, 2017]
    assert inbox["to_review"].total == 5
    request = rf.get("/")
    request.user = bob
    page = render(request, "reports/home.html", inbox).getvalue().decode()
    assert "共5份，此处列出最近的3份" in page


def test_clerk_inbox_lists_drafts_in_constant_queries(client, alice, agencies):
    client.force_login(alice)
    make_report(agencies["office"], 2019)
    small, _ = inbox_queries(client)
    for year in range(2000, 2018):
        make_report(agencies["office"], year)
    large, page = inbox_queries(client)
    assert small == large
    assert page.count("（截止日期") == 19


@pytest.mark.parametrize(("drafts", "counted"), [(2, False), (3, True), (4, True)])
def test_a_list_is_counted_only_when_it_fills_the_page(alice, agencies, drafts, counted):
    for year in range(2015, 2015 + drafts):
        make_report(agencies["office"], year)
    with CaptureQueriesContext(connection) as queries:
        inbox = inbox_for(alice, date(2025, 2, 10), size=3)
    assert inbox["drafts"].total == drafts
    assert len(inbox["drafts"]) == min(drafts, 3)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(counts) == (1 if counted else 0)
