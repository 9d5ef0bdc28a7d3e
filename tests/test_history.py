"""The per-field change history and the event log on the report page."""

import pytest
from django.urls import reverse

from reports.models import Report
from reports.models.saves import field_history
from tests.helpers import make_report, published_report, ready_report

pytestmark = pytest.mark.django_db


def save_problems(client, report: Report, text: str):
    version = Report.objects.get(pk=report.pk).version
    url = reverse("reports:section", args=[report.pk, "problems"])
    return client.post(url, {"problems": text, "version": version})


def test_a_cell_change_is_recorded_with_who_what_from_and_to(client, alice, agencies):
    report = make_report(agencies["office"], 2024, {"app_granted_commercial": 8})
    client.force_login(alice)
    url = reverse("reports:section", args=[report.pk, "applications"])
    version = Report.objects.get(pk=report.pk).version
    client.post(url, {"app_granted_commercial": "9", "version": version})
    entry = field_history(report)[0]
    assert entry.user == "alice"
    change = next(c for c in entry.changes if "商业企业" in c.label)
    assert "予以公开" in change.label
    assert (change.old, change.new) == ("8", "9")


def test_history_names_the_saver_by_full_name_and_a_scripted_change_as_the_system(
    client, alice, agencies
):
    alice.first_name, alice.last_name = "爱丽", "王"
    alice.save()
    report = make_report(agencies["office"], 2024, {"app_granted_commercial": 8})
    client.force_login(alice)
    save_problems(client, report, "第五部分由填报人改写。")
    report.refresh_from_db()
    report.other_matters = "脚本写入的第六部分。"
    report.save()  # no request, hence no user: as import_report or a migration would
    newest, by_alice = field_history(report)[:2]
    assert newest.user == "系统"
    assert [c.new for c in newest.changes] == ["脚本写入的第六部分。"]
    assert by_alice.user == "王爱丽"  # family name first, as Chinese names are written
    assert [c.new for c in by_alice.changes] == ["第五部分由填报人改写。"]


def test_the_report_page_shows_history_and_events_to_those_who_may_see_it(
    client, alice, bob, carol, mallory, agencies
):
    report = ready_report()
    client.force_login(alice)
    rewritten = "改写后的第五部分：公开内容不够丰富，下一步将加以改进。"
    save_problems(client, report, rewritten)
    Report.objects.get(pk=report.pk).submit(alice)
    for user in (alice, bob, carol):
        client.force_login(user)
        page = client.get(report.get_absolute_url()).getvalue().decode()
        assert 'id="field-history"' in page and rewritten in page
        assert 'id="event-log"' in page and "提交审核" in page
    client.force_login(mallory)
    assert client.get(report.get_absolute_url()).status_code == 404


def test_changes_of_the_general_sub_sections_are_recorded(client, alice, agencies):
    report = make_report(agencies["office"])
    section = report.general.first()
    section.body = "新的正文。"
    section.save()
    changes = [c for e in field_history(report) for c in e.changes]
    assert any(c.label.endswith("正文") and c.new == "新的正文。" for c in changes)


def test_history_survives_every_transition_and_revision(alice, bob):
    report = published_report(alice, bob)
    before = report.history.count()
    revision = report.start_revision(alice)
    assert report.history.count() == before  # nothing pruned, nothing rewritten
    assert revision.history.count() >= 1
    assert report.history.earliest("history_date").status == "draft"


def test_the_report_page_query_count_is_bounded(client, alice, django_assert_max_num_queries):
    report = ready_report()
    client.force_login(alice)
    for i in range(5):
        save_problems(client, report, f"第{i}次修改。")
    # One of them the report's 批注 (main's page made 14 with the findings' triage).
    with django_assert_max_num_queries(15):
        assert client.get(report.get_absolute_url()).status_code == 200
