"""The report page does not grow with the report's history: it shows the newest saves
and events, and the history and events pages go back a page at a time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import EventKind, GeneralSection, Report, ReportEvent, Status
from reports.models.saves import HISTORY_PAGE_SIZE, field_history_page
from reports.views.history import EVENTS_PAGE_SIZE
from reports.views.reports import EVENTS_SHOWN
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


def save_problems_times(report: Report, times: int, start: int = 1) -> None:
    for i in range(start, start + times):
        report.problems = f"第{i}次"
        report.save()


def problem_changes(entries) -> list[tuple[str, str]]:
    return [(c.old, c.new) for e in entries for c in e.changes if c.label.startswith("五")]


def all_history_pages(report) -> list:
    pages, before = [], None
    while True:
        page = field_history_page(report, before)
        pages.append(page)
        if page.next_before is None:
            return pages
        before = page.next_before


def page_queries(client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content


def test_history_pages_hold_every_change_once_newest_first(agencies):
    report = make_report(agencies["office"])
    save_problems_times(report, 45)
    pages = all_history_pages(report)
    assert len(pages) == 3  # 46 saves (the first creates the report), 20 a page
    changes = [change for p in pages for change in problem_changes(p.entries)]
    expected = [(f"第{i - 1}次" if i > 1 else "（空白）", f"第{i}次") for i in range(45, 0, -1)]
    assert changes == expected
    assert pages[-1].entries[-1].kind == "新建"


def test_sub_section_changes_appear_once_on_the_page_of_their_time(agencies):
    report = make_report(agencies["office"])
    save_problems_times(report, 25)
    section = report.general.order_by("position").first()
    section.body = "中间改写的小节正文"
    section.save()
    save_problems_times(report, 25, start=26)
    GeneralSection.objects.create(report=report, heading="新增小节", body="最后新增", position=9)
    pages = all_history_pages(report)
    bodies = [c.new for p in pages for e in p.entries for c in e.changes]
    assert bodies.count("中间改写的小节正文") == 1
    assert bodies.count("最后新增") == 1
    # Added last, after the newest save of the report: on the first page.
    assert "最后新增" in [c.new for e in pages[0].entries for c in e.changes]
    # Changed between the 25th and the 26th save: on the page of those saves.
    middle = next(i for i, p in enumerate(pages) if "中间改写的小节正文" in str(p.entries))
    assert ("第25次", "第26次") in problem_changes(pages[middle].entries) or (
        "第24次",
        "第25次",
    ) in problem_changes(pages[middle].entries)


def test_report_page_costs_the_same_for_5_or_60_saves_and_events(client, alice, agencies):
    report = make_report(agencies["office"])
    client.force_login(alice)
    save_problems_times(report, 4)
    # A report without events is not asked for them: one event on either side.
    ReportEvent.objects.create(
        report=report, kind=EventKind.SUBMIT, from_status="draft", to_status="submitted"
    )
    small_queries, small_page = page_queries(client, report.get_absolute_url())
    save_problems_times(report, 56, start=5)
    for _ in range(29):
        ReportEvent.objects.create(
            report=report, kind=EventKind.SUBMIT, from_status="draft", to_status="submitted"
        )
    large_queries, large_page = page_queries(client, report.get_absolute_url())
    # One query more for a log longer than the page shows: its last submission.
    assert large_queries == small_queries + 1
    body = large_page.decode()
    assert body.count('class="history-new"') <= HISTORY_PAGE_SIZE
    assert "第60次" in body and "第30次" not in body
    assert f"此处列出最近的{EVENTS_SHOWN}条" in body
    assert reverse("reports:events", args=[report.pk]) in body
    assert "更早的修改记录" in body
    # Bounded: 60 saves and 30 events make a page hardly larger than 4 saves.
    assert len(large_page) < len(small_page) * 2


def test_report_page_queries_do_not_grow_with_the_history(client, alice, agencies):
    report = make_report(agencies["office"])
    client.force_login(alice)
    save_problems_times(report, 25)
    medium, _ = page_queries(client, report.get_absolute_url())
    save_problems_times(report, 50, start=26)
    large, _ = page_queries(client, report.get_absolute_url())
    assert medium == large


def test_history_page_goes_back_to_the_first_save(client, alice, agencies):
    report = make_report(agencies["office"])
    save_problems_times(report, 30)
    client.force_login(alice)
    first = client.get(reverse("reports:history", args=[report.pk]))
    cursor = first.context["page"].next_before
    second = client.get(reverse("reports:history", args=[report.pk]), {"before": cursor})
    body = second.getvalue().decode()
    assert "新建报告" in body and "回到最近的修改记录" in body
    assert second.context["page"].next_before is None
    # A cursor that is not a number is the first page, never an error.
    again = client.get(reverse("reports:history", args=[report.pk]), {"before": "x'"})
    assert again.status_code == 200 and again.context["page"].next_before == cursor


def test_events_page_lists_every_event_once_a_page_at_a_time(client, bob, agencies):
    report = make_report(agencies["office"])
    made = [
        ReportEvent.objects.create(
            report=report, kind=EventKind.RETURN, to_status=Status.RETURNED, comment=f"意见{i}"
        ).pk
        for i in range(EVENTS_PAGE_SIZE + 5)
    ]
    client.force_login(bob)
    first = client.get(reverse("reports:events", args=[report.pk]))
    cursor = first.context["next_before"]
    second = client.get(reverse("reports:events", args=[report.pk]), {"before": cursor})
    seen = [e.pk for e in first.context["events"]] + [e.pk for e in second.context["events"]]
    assert seen == sorted(made, reverse=True)
    assert second.context["next_before"] is None


@pytest.mark.parametrize("name", ["reports:history", "reports:events"])
def test_history_pages_are_for_those_who_may_see_the_report(
    client, alice, carol, mallory, agencies, name
):
    report = make_report(agencies["office"])
    save_problems_times(report, 2)
    url = reverse(name, args=[report.pk])
    for user in (alice, carol):
        client.force_login(user)
        assert client.get(url).status_code == 200
    client.force_login(mallory)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", ["reports:history", "reports:events"])
def test_history_pages_refuse_other_methods(client, alice, agencies, name):
    report = make_report(agencies["office"])
    client.force_login(alice)
    before = (report.history.count(), report.events.count())
    assert client.post(reverse(name, args=[report.pk])).status_code == 405
    assert (report.history.count(), report.events.count()) == before
