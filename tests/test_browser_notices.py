"""Notices in a real browser: each step of the workflow leaves a notice in the 消息 of
the people who act next and an e-mail to them; the badge counts them, opening one
goes to the report; an oversight office sends a 催报."""

import pytest
from django.core import mail

from reports.models import Notice, NoticeKind
from tests.conftest import login, screenshot
from tests.helpers import ready_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(alice, bob, carol):
    for user in (alice, bob, carol):
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    return alice, bob, carol


def told(kind: str) -> list[tuple[str, str]]:
    """Who got a notice of ``kind`` and who an e-mail with its title."""
    notices = Notice.objects.filter(kind=kind).select_related("recipient")
    titles = {n.title for n in notices}
    mails = [m.to[0].split("@")[0] for m in mail.outbox if any(t in m.subject for t in titles)]
    return sorted(n.recipient.username for n in notices), sorted(mails)


def test_every_step_tells_the_next_person_in_the_app_and_by_e_mail(new_page, people):
    alice, bob, carol = people
    report = ready_report()
    a, b, c = new_page(), new_page(), new_page()
    login(a, alice)
    login(b, bob)
    login(c, carol)

    a.goto(f"/reports/{report.pk}/")
    a.click("#submit-button")
    a.wait_for_selector("text=已提交审核。")
    assert told(NoticeKind.SUBMIT) == (["bob"], ["bob"])

    # bob's badge counts it; opening it marks it read and goes to the report.
    b.goto("/")
    assert b.inner_text("#unread-count") == "1"
    b.click("#nav-notices")
    screenshot(b, "notices-list-reviewer")
    b.click("#notice-list .notice-open")
    b.wait_for_url(f"**/reports/{report.pk}/")
    assert Notice.objects.get(kind=NoticeKind.SUBMIT).read_at is not None
    assert b.locator("#unread-count").count() == 0

    b.fill("#return-comment-input", "第六部分请写明收费情况。")
    b.click("#return-button")
    b.wait_for_selector("text=已退回填报人修改。")
    assert told(NoticeKind.RETURN) == (["alice"], ["alice"])
    [returned] = [m for m in mail.outbox if m.to == ["alice@example.gov.cn"]]
    assert "第六部分请写明收费情况。" in returned.body
    assert f"/reports/{report.pk}/" in returned.body

    a.goto(f"/reports/{report.pk}/")
    a.click("#submit-button")
    a.wait_for_selector("text=已提交审核。")

    b.goto(f"/reports/{report.pk}/")
    b.click("#approve-button")
    b.click("#confirm-approve")
    b.wait_for_selector("text=已审核通过。")
    assert told(NoticeKind.APPROVE) == (["alice"], ["alice"])

    b.click("#publish-button")
    b.click("#confirm-publish")
    b.wait_for_selector("text=已发布")
    assert told(NoticeKind.PUBLISH) == (["alice", "carol"], ["alice", "carol"])

    # carol reads of the publication in her 消息 and sends the report back for correction.
    c.goto("/reports/notices/")
    assert "已发布" in c.inner_text("#notice-list")
    c.goto(f"/reports/{report.pk}/")
    c.fill("#correct-comment-input", "表三数字与台账不符，请更正。")
    c.click("#correct-button")
    c.wait_for_selector("text=已退回")
    assert told(NoticeKind.CORRECT) == (["alice", "bob"], ["alice", "bob"])
    a.goto("/reports/notices/")
    screenshot(a, "notices-list-clerk")
    assert a.inner_text("#unread-count") == "4"  # returned, approved, published, sent back


def test_an_oversight_office_urges_a_late_agency(new_page, people, agencies):
    carol = people[2]
    c = new_page()
    login(c, carol)
    c.goto("/")
    c.click("#inbox-urge")
    # Last year's report of 办公室 does not exist: it is due or late, and can be urged.
    c.check(f"#urge-{agencies['office'].pk}")
    c.fill("#urge-message", "请尽快发布。")
    screenshot(c, "notices-urge")
    c.click("#urge-submit")
    c.wait_for_selector("text=已向")
    assert "宁波市镇海区人民政府办公室" in c.inner_text("main")
    urged = Notice.objects.filter(kind=NoticeKind.URGE, agency=agencies["office"])
    assert sorted(n.recipient.username for n in urged) == ["alice", "bob"]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.gov.cn", "bob@example.gov.cn"]
    assert all("请尽快发布。" in m.body for m in mail.outbox)
