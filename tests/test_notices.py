"""消息 and e-mail on every step of the workflow: who is told, what the notice says,
where it links, and the 消息 page that marks them read."""

import pytest
from django.core import mail
from django.urls import reverse

from reports.models import Notice, NoticeKind
from tests.helpers import published_report, ready_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def addresses(alice, bob, carol, mallory):
    for user, name in ((alice, "张丽"), (bob, "王波"), (carol, "李娜"), (mallory, "马力")):
        user.email = f"{user.username}@example.gov.cn"
        user.last_name, user.first_name = name[0], name[1:]
        user.save()


def notices_of(user) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user).order_by("pk"))


def mailed_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_a_submission_tells_the_reviewers_by_notice_and_e_mail(
    alice, bob, mallory, django_capture_on_commit_callbacks
):
    report = ready_report()
    with django_capture_on_commit_callbacks(execute=True):
        report.submit(alice)
    [notice] = notices_of(bob)
    assert notice.kind == NoticeKind.SUBMIT
    assert notice.title == f"待审核：《{report.title}》"
    assert notice.body.startswith("张丽于") and notice.body.endswith("，请审核。")
    assert notice.url == f"/reports/{report.pk}/"
    assert (notice.sender, notice.report, notice.read_at) == (alice, report, None)
    assert not notices_of(alice) and not notices_of(mallory)
    [message] = mail.outbox
    assert message.to == ["bob@example.gov.cn"]
    assert message.subject == f"【政府信息公开年度报告】待审核：《{report.title}》"
    assert f"http://127.0.0.1:8000/reports/{report.pk}/" in message.body


def test_a_return_tells_the_clerk_with_the_comment_and_the_open_notes(
    alice, bob, django_capture_on_commit_callbacks
):
    from reports.models import Annotation

    report = ready_report()
    report.submit(alice)
    Annotation.attach(report, bob, "problems", "", "请补充整改措施。")
    with django_capture_on_commit_callbacks(execute=True):
        report.return_to_clerk(bob, "第五部分过于简略。")
    [notice] = notices_of(alice)
    assert notice.kind == NoticeKind.RETURN
    assert "意见：第五部分过于简略。" in notice.body
    assert "共有1条批注待处理" in notice.body
    assert [m.to for m in mail.outbox] == [["alice@example.gov.cn"]]
    assert "第五部分过于简略。" in mail.outbox[0].body


def test_an_approval_tells_the_clerk(alice, bob, django_capture_on_commit_callbacks):
    report = ready_report()
    report.submit(alice)
    with django_capture_on_commit_callbacks(execute=True):
        report.approve(bob, "同意。")
    [notice] = notices_of(alice)
    assert notice.kind == NoticeKind.APPROVE
    assert notice.title == f"已审核通过，待发布：《{report.title}》"
    # The approver is not told what he did.
    assert not [n for n in notices_of(bob) if n.kind == NoticeKind.APPROVE]
    assert len(mailed_to("alice@example.gov.cn")) == 1


def test_a_publication_tells_the_clerk_and_the_oversight_office_how_late_it_was(
    alice, bob, carol, mallory, django_capture_on_commit_callbacks
):
    report = ready_report()
    report.submit(alice)
    report.approve(bob)
    with django_capture_on_commit_callbacks(execute=True):
        report.publish(bob)
    report.refresh_from_db()
    for user in (alice, carol):
        [notice] = [n for n in notices_of(user) if n.kind == NoticeKind.PUBLISH]
        assert notice.title == f"已发布：《{report.title}》"
        # Seed 001 is a 2023 report of a department, due 2024年1月31日.
        assert f"截止日期2024年1月31日，逾期{report.days_late}天发布" in notice.body
        assert len(mailed_to(f"{user.username}@example.gov.cn")) == 1
    assert not notices_of(mallory)
    assert not [n for n in notices_of(bob) if n.kind == NoticeKind.PUBLISH]


def test_a_send_back_for_correction_tells_the_agency_and_links_the_revision(
    alice, bob, carol, django_capture_on_commit_callbacks
):
    report = published_report(alice, bob)
    with django_capture_on_commit_callbacks(execute=True):
        revision = report.send_for_correction(carol, "表三数字有误。")
    for user in (alice, bob):
        [notice] = [n for n in notices_of(user) if n.kind == NoticeKind.CORRECT]
        assert notice.url == f"/reports/{revision.pk}/"
        assert "李娜（宁波市镇海区人民政府）" in notice.body
        assert "意见：表三数字有误。" in notice.body
        assert len(mailed_to(f"{user.username}@example.gov.cn")) == 1


def test_a_refused_step_tells_nobody(alice, bob, django_capture_on_commit_callbacks):
    from reports.models import WorkflowError

    report = ready_report()
    report.submit(alice)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError):
        report.return_to_clerk(bob, "")
    assert not Notice.objects.filter(kind=NoticeKind.RETURN).exists()
    assert not mail.outbox


def test_a_mail_server_that_refuses_does_not_undo_the_step(
    alice, bob, settings, django_capture_on_commit_callbacks
):
    from reports.models import Report, Status

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    report = ready_report()
    with django_capture_on_commit_callbacks(execute=True):
        report.submit(alice)
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED
    assert len(notices_of(bob)) == 1


# --- the 消息 page ------------------------------------------------------------------------


def test_the_navigation_bar_counts_unread_notices(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    client.force_login(bob)
    html = client.get(reverse("home")).content.decode()
    assert 'id="unread-count">1</span><span class="visually-hidden">条未读</span>' in html
    client.force_login(alice)
    assert 'id="unread-count"' not in client.get(reverse("home")).content.decode()


def test_the_notice_list_shows_ones_own_notices_only(client, alice, bob, mallory):
    report = ready_report()
    report.submit(alice)
    client.force_login(bob)
    html = client.get(reverse("reports:notices")).content.decode()
    assert f"待审核：《{report.title}》" in html
    assert "（共1条，1条未读）" in html
    client.force_login(mallory)
    html = client.get(reverse("reports:notices")).content.decode()
    assert report.title not in html
    assert "没有消息。" in html


def test_opening_a_notice_marks_it_read_and_goes_to_the_page_to_act_on(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    [notice] = notices_of(bob)
    client.force_login(bob)
    response = client.post(reverse("reports:notice_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response.url == f"/reports/{report.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_nobody_opens_another_persons_notice(client, alice, bob, mallory):
    report = ready_report()
    report.submit(alice)
    [notice] = notices_of(bob)
    for user in (mallory, alice):
        client.force_login(user)
        assert client.post(reverse("reports:notice_open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_all_notices_are_marked_read_at_once(client, alice, bob, mallory):
    report = ready_report()
    report.submit(alice)
    report.return_to_clerk(bob, "请修改。")
    report.submit(alice)
    client.force_login(mallory)
    client.post(reverse("reports:notices_read_all"))
    assert Notice.objects.filter(recipient=bob, read_at__isnull=True).count() == 2
    client.force_login(bob)
    response = client.post(reverse("reports:notices_read_all"), follow=True)
    assert "已将2条消息标为已读。" in response.content.decode()
    assert not Notice.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_the_notice_pages_take_only_their_methods(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    [notice] = notices_of(bob)
    client.force_login(bob)
    assert client.post(reverse("reports:notices")).status_code == 405
    assert client.get(reverse("reports:notice_open", args=[notice.pk])).status_code == 405
    assert client.get(reverse("reports:notices_read_all")).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_notice_pages_need_a_login(client):
    response = client.get(reverse("reports:notices"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
