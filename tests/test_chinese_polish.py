"""The pages speak one Chinese: 请选择 for an empty choice, dates as 2024年1月10日, people by
their full names, the return comment where the clerk corrects, the inbox after login."""

import re

import pytest
from django.urls import reverse

from reports.models import GeneralSection, saves
from tests.helpers import make_report, ready_report

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture
def named(alice, bob, carol):
    """The demo's people (fixtures/demo.json): 张丽, 王波, 陈珂."""
    for user, name in ((alice, "张丽"), (bob, "王波"), (carol, "陈珂")):
        user.first_name = name
        user.save()
    return alice, bob, carol


def test_an_empty_choice_reads_please_choose(client, carol, django_user_model):
    client.force_login(carol)
    body = client.get(reverse("reports:exports")).getvalue().decode()
    assert "请选择" in body and "---------" not in body
    admin = django_user_model.objects.create_superuser("root", password="a-long-test-password-1")
    client.force_login(admin)
    body = client.get(reverse("admin:reports_user_add")).getvalue().decode()
    assert '<option value="" selected>请选择</option>' in body
    assert "---------" not in body


def test_the_event_log_and_the_navbar_name_people_in_full(client, named, agencies):
    alice, bob, _carol = named
    report = ready_report()
    report.submit(alice)
    report.return_to_clerk(bob, "请补充第五部分。")
    client.force_login(alice)
    body = client.get(reverse("reports:detail", args=[report.pk])).getvalue().decode()
    log = body[body.index('id="event-log"') :]
    assert "张丽" in log and "王波" in log
    assert ">alice<" not in log and ">bob<" not in log
    assert "张丽 · 宁波市镇海区人民政府办公室 · 填报人" in body


def test_dates_on_the_signed_in_pages_are_written_in_chinese(client, named, agencies):
    alice, _bob, carol = named
    report = ready_report()
    report.submit(alice)
    for user, url in (
        (alice, reverse("reports:list")),
        (alice, reverse("reports:detail", args=[report.pk])),
        (carol, reverse("oversight:home") + f"?year={report.year}"),
    ):
        client.force_login(user)
        body = client.get(url).getvalue().decode()
        shown = re.sub(r"<script.*?</script>|<input[^>]*>|<[^>]*href=[^>]*>", "", body, flags=re.S)
        assert not ISO_DATE.search(shown), (url, ISO_DATE.search(shown))
        assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", body), url


def test_the_clerk_is_not_told_on_the_preview_that_only_the_clerk_may_edit(
    client, alice, bob, agencies
):
    report = make_report(agencies["office"], 2024)
    url = reverse("reports:preview", args=[report.pk])
    client.force_login(alice)
    assert 'id="locked-note"' not in client.get(url).getvalue().decode()
    client.force_login(bob)
    assert "的填报人可以修改草稿" in client.get(url).getvalue().decode()


def test_the_return_comment_is_shown_on_every_section_page(client, alice, bob, agencies):
    report = ready_report()
    report.submit(alice)
    report.return_to_clerk(bob, "第三部分的数字与正文不一致，请核对。")
    client.force_login(alice)
    for section in ("info", "applications", "problems"):
        body = client.get(reverse("reports:section", args=[report.pk, section])).getvalue()
        assert "退回意见：</strong>第三部分的数字与正文不一致，请核对。" in body.decode()


def test_after_login_everyone_lands_on_the_inbox(client, alice):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a-long-test-password-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_first_recorded_change_of_an_older_subsection_reads_plainly(alice, agencies):
    report = make_report(agencies["office"], 2024)
    section = GeneralSection.objects.filter(report=report).first()
    # Sub-sections written before their history was kept have no row of their creation.
    GeneralSection.history.filter(id=section.pk).delete()
    section.body = "改写后的正文。"
    section._history_user = alice
    section.save()
    changes = [c for e in saves.field_history(report) for c in e.changes]
    change = next(c for c in changes if c.new == "改写后的正文。")
    assert change.label == f"一、总体情况 {section.heading} · 正文"
    assert change.old == "（未记录）"
    assert "此前无记录" not in change.label
