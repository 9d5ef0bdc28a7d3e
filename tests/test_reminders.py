"""催报 from an oversight office to chosen late agencies, and the reminders the task
worker sends a configured number of days before the deadline, once a day."""

from datetime import date, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports.models import Notice, NoticeKind, Role, User
from reports.oversight import reminders
from tests.helpers import make_report, published_report, ready_report

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def people(alice, bob, carol, mallory, agencies):
    """alice and bob (办公室), a clerk of 金融发展服务中心, mallory elsewhere; all with
    e-mail addresses."""
    fang = User.objects.create_user("fang", role=Role.CLERK, agency=agencies["finance"])
    for user in (alice, bob, carol, mallory, fang):
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    return {"alice": alice, "bob": bob, "carol": carol, "mallory": mallory, "fang": fang}


def on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def urge_url() -> str:
    return reverse("oversight:urge")


# --- 催报 ---------------------------------------------------------------------------------


def test_carol_sees_the_late_agencies_beneath_hers(client, people, agencies, monkeypatch):
    # On 2025年2月10日 the 2024 reports of departments (due 2025年1月31日) are 10 days late.
    on(monkeypatch, date(2025, 2, 10))
    make_report(agencies["office"], year=2024)
    client.force_login(people["carol"])
    html = client.get(urge_url()).content.decode()
    assert "宁波市镇海区人民政府办公室" in html and "宁波市镇海区金融发展服务中心" in html
    assert "卫东区金融工作局" not in html  # not beneath carol's
    assert html.count("已逾期10天") == 2
    assert "草稿" in html and "尚未创建" in html


def test_a_urge_tells_the_clerks_and_reviewers_of_the_chosen_agency(
    client, people, agencies, monkeypatch, django_capture_on_commit_callbacks
):
    on(monkeypatch, date(2025, 2, 10))
    draft = make_report(agencies["office"], year=2024)
    client.force_login(people["carol"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            urge_url(), {"agency": [agencies["office"].pk], "message": "请于本周内发布。"}
        )
    assert response.status_code == 302
    urged = Notice.objects.filter(kind=NoticeKind.URGE)
    assert sorted(n.recipient.username for n in urged) == ["alice", "bob"]
    for notice in urged:
        assert notice.url == f"/reports/{draft.pk}/"
        assert notice.sender == people["carol"]
        assert (notice.agency, notice.year) == (agencies["office"], 2024)
        assert "截止日期为2025年1月31日，已逾期10天，当前状态为“草稿”" in notice.body
        assert "说明：请于本周内发布。" in notice.body
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.gov.cn", "bob@example.gov.cn"]
    assert not Notice.objects.filter(recipient=people["fang"]).exists()


def test_a_urge_to_an_agency_without_a_report_links_to_the_report_list(
    client, people, agencies, monkeypatch
):
    on(monkeypatch, date(2025, 2, 10))
    client.force_login(people["carol"])
    client.post(urge_url(), {"agency": [agencies["finance"].pk]})
    [notice] = Notice.objects.filter(kind=NoticeKind.URGE)
    assert notice.recipient == people["fang"]
    assert notice.url == "/reports/"
    assert "尚未开始填报" in notice.body


def test_a_urge_to_an_agency_outside_or_already_published_is_refused(
    client, people, agencies, monkeypatch
):
    on(monkeypatch, date(2025, 2, 10))
    client.force_login(people["carol"])
    for agency in (agencies["weidong"], agencies["zhenhai"]):
        response = client.post(urge_url(), {"agency": [agency.pk]})
        assert response.status_code == 400
        assert "不需要催报或不属于本机关下级" in response.content.decode()
    response = client.post(urge_url(), {})
    assert "请至少选择一个机关。" in response.content.decode()
    response = client.post(urge_url(), {"agency": ["x"]})
    assert response.status_code == 400
    assert not Notice.objects.exists()


def test_only_oversight_users_urge(client, people, agencies, monkeypatch):
    on(monkeypatch, date(2025, 2, 10))
    for name in ("alice", "bob", "mallory"):
        client.force_login(people[name])
        assert client.get(urge_url()).status_code == 403
        assert client.post(urge_url(), {"agency": [agencies["office"].pk]}).status_code == 403
    assert not Notice.objects.exists()


def test_the_urge_page_takes_get_and_post_only(client, people):
    client.force_login(people["carol"])
    assert client.put(urge_url()).status_code == 405
    assert client.delete(urge_url()).status_code == 405


# --- reminders ----------------------------------------------------------------------------


def test_departments_are_reminded_seven_days_before_31_january(people, agencies, settings):
    settings.REMINDER_DAYS_BEFORE = 7
    assert reminders.send_deadline_reminders(date(2025, 1, 23)) == 0  # 8 days before
    # 2025年1月24日: 7 days before; the three departments with people are reminded, the
    # district government (due 31 March) is not.
    assert reminders.send_deadline_reminders(date(2025, 1, 24)) == 3
    sent = Notice.objects.filter(kind=NoticeKind.REMINDER)
    assert sorted(n.recipient.username for n in sent) == ["alice", "bob", "fang", "mallory"]
    [alices] = sent.filter(recipient=people["alice"])
    assert alices.body.startswith(
        "宁波市镇海区人民政府办公室2024年政府信息公开工作年度报告的截止日期为2025年1月31日，"
        "还有7天，尚未开始填报。"
    )
    assert alices.url == "/reports/"
    # Once only, however often the worker runs.
    assert reminders.send_deadline_reminders(date(2025, 1, 25)) == 0
    assert sent.count() == 4


def test_the_number_of_days_is_configurable(people, settings):
    settings.REMINDER_DAYS_BEFORE = 3
    assert reminders.send_deadline_reminders(date(2025, 1, 24)) == 0
    assert reminders.send_deadline_reminders(date(2025, 1, 28)) == 3


def test_a_government_is_reminded_before_31_march(agencies, settings):
    settings.REMINDER_DAYS_BEFORE = 7
    clerk = User.objects.create_user("gov", role=Role.CLERK, agency=agencies["zhenhai"])
    assert reminders.send_deadline_reminders(date(2025, 3, 23)) == 0
    assert reminders.send_deadline_reminders(date(2025, 3, 24)) == 1
    [notice] = Notice.objects.filter(recipient=clerk)
    assert "截止日期为2025年3月31日，还有7天" in notice.body


def test_a_published_report_is_not_reminded(people, agencies, settings):
    settings.REMINDER_DAYS_BEFORE = 7
    report = published_report(people["alice"], people["bob"])  # 办公室 2023
    assert reminders.send_deadline_reminders(date(report.year + 1, 1, 30)) == 2
    assert not Notice.objects.filter(kind=NoticeKind.REMINDER, agency=agencies["office"]).exists()


def test_a_draft_is_reminded_with_its_state_and_link(people, agencies, settings):
    settings.REMINDER_DAYS_BEFORE = 7
    report = ready_report()  # 办公室 2023, a draft
    reminders.send_deadline_reminders(date(2024, 1, 31))
    [notice] = Notice.objects.filter(kind=NoticeKind.REMINDER, recipient=people["alice"])
    assert "截止日期为2024年1月31日，今天截止，当前状态为“草稿”" in notice.body
    assert notice.url == f"/reports/{report.pk}/"


def test_the_next_run_is_at_the_configured_hour(settings):
    settings.REMINDER_HOUR = 8
    tz = timezone.get_current_timezone()
    before = datetime(2025, 1, 24, 7, 30, tzinfo=tz)
    after = datetime(2025, 1, 24, 8, 0, tzinfo=tz)
    assert reminders.next_run(before) == datetime(2025, 1, 24, 8, 0, tzinfo=tz)
    assert reminders.next_run(after) == datetime(2025, 1, 25, 8, 0, tzinfo=tz)


def test_the_immediate_backend_schedules_nothing(settings):
    settings.TASKS = IMMEDIATE
    assert reminders.schedule(at_once=True) is False


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_reminders_and_queues_the_next_day(settings, agencies):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    settings.REMINDER_HOUR = 8
    call_command("schedule_reminders")
    call_command("schedule_reminders")  # once only
    [queued] = DBTaskResult.objects.all()
    assert queued.status == TaskResultStatus.READY

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    done, following = DBTaskResult.objects.order_by("enqueued_at")
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert following.status == TaskResultStatus.READY
    run_after = timezone.localtime(following.run_after)
    assert (run_after.hour, run_after.minute) == (8, 0)
    assert 0 < (following.run_after - timezone.now()).total_seconds() <= 24 * 3600
