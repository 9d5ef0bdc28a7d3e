"""The whole path in a real browser: alice fills and submits, bob returns it with a
comment, alice fixes and submits again, bob approves and publishes, a visitor reads it."""

import pytest

from reports.models import Report, Status
from tests.conftest import login, screenshot
from tests.helpers import ready_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_and_bob_take_a_report_from_draft_to_the_public_site(new_page, alice, bob):
    report = ready_report()
    report.problems = ""
    report.save()

    # alice fills section 五 and submits.
    a = new_page()
    login(a, alice)
    a.goto(f"/reports/{report.pk}/")
    assert a.locator("#submit-button").is_disabled()  # R6: section 五 is empty
    a.goto(f"/reports/{report.pk}/edit/problems/")
    a.fill("#id_problems", "存在的问题是公开内容不够丰富，下一步将加以改进。")
    a.click("#save")
    a.wait_for_selector("text=已保存。")
    a.goto(f"/reports/{report.pk}/")
    a.click("#submit-button")
    a.wait_for_selector("text=已提交审核。")
    assert a.inner_text("#report-status") == "待审核"
    assert "本机关审核人可以将其退回" in a.inner_text("#locked-note")

    # bob finds it in his inbox and returns it with a comment.
    b = new_page()
    login(b, bob)
    b.goto("/")
    screenshot(b, "workflow-reviewer-inbox")
    b.click(f"#inbox-to-review >> text={report.title}")
    b.fill("#return-comment-input", "第六部分请写明信息处理费收取情况。")
    b.click("#return-button")
    b.wait_for_selector("text=已退回填报人修改。")

    # alice sees the comment in her inbox and on the report, fixes and submits again.
    a.goto("/")
    assert "第六部分请写明信息处理费收取情况。" in a.inner_text("#inbox-returned")
    a.click(f"#inbox-returned >> text={report.title}")
    assert "第六部分请写明信息处理费收取情况。" in a.inner_text("#return-comment")
    screenshot(a, "workflow-returned-report")
    a.goto(f"/reports/{report.pk}/edit/other_matters/")
    a.fill("#id_other_matters", "本年度未收取信息处理费，未发出收费通知。")
    a.click("#save")
    a.wait_for_selector("text=已保存。")
    a.goto(f"/reports/{report.pk}/")
    a.click("#submit-button")
    a.wait_for_selector("text=已提交审核。")

    # bob approves and publishes.
    b.goto(f"/reports/{report.pk}/")
    b.click("#approve-button")
    # 审核通过 is confirmed on a page that says what will happen.
    assert "报告状态由“待审核”变为“已审核”" in b.inner_text("#confirm-approve-effect")
    b.click("#confirm-approve")
    b.wait_for_selector("text=已审核通过。")
    b.click("#publish-button")
    assert "发布不能撤回" in b.inner_text("#confirm-publish-effect")
    screenshot(b, "workflow-confirm-publish")
    b.click("#confirm-publish")
    b.wait_for_selector("text=已发布")
    assert b.inner_text("#report-status") == "已发布"
    assert "按期发布" in b.inner_text("#published-note") or "逾期" in b.inner_text(
        "#published-note"
    )
    assert "退回修改" in b.inner_text("#event-log")
    assert "本年度未收取信息处理费，未发出收费通知。" in b.inner_text("#field-history")
    screenshot(b, "workflow-published-report")

    # An anonymous visitor reads it.
    v = new_page()
    v.goto("/")
    v.click(f"#public-list >> text={report.title}")
    assert v.inner_text("h1.doc-title") == report.title
    assert "本年度未收取信息处理费，未发出收费通知。" in v.inner_text("article")
    screenshot(v, "workflow-public-report")

    assert Report.objects.get(pk=report.pk).status == Status.PUBLISHED
    for page in (a, b, v):
        assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_two_clerks_editing_one_section_see_a_conflict_not_a_lost_save(new_page, alice, agencies):
    from reports.models import Role, User
    from tests.conftest import PASSWORD

    dave = User.objects.create_user(
        "dave", password=PASSWORD, role=Role.CLERK, agency=agencies["office"]
    )
    report = ready_report()
    a, d = new_page(), new_page()
    login(a, alice)
    login(d, dave)
    url = f"/reports/{report.pk}/edit/problems/"
    a.goto(url)
    d.goto(url)
    d.fill("#id_problems", "戴夫补充的问题。")
    d.click("#save")
    d.wait_for_selector("text=已保存。")

    a.fill("#id_problems", "爱丽丝改写的问题。")
    a.click("#save")
    a.wait_for_selector("#conflict")
    assert "dave" in a.inner_text("#conflict")
    assert "戴夫补充的问题。" in a.inner_text("#conflict-changes")
    assert a.input_value("#id_problems") == "爱丽丝改写的问题。"
    screenshot(a, "workflow-edit-conflict")
    assert Report.objects.get(pk=report.pk).problems == "戴夫补充的问题。"

    a.click("#save")  # having seen dave's change, alice saves deliberately
    a.wait_for_selector("text=已保存。")
    assert Report.objects.get(pk=report.pk).problems == "爱丽丝改写的问题。"
