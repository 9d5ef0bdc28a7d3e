"""The states of a report and who may move it: model methods, event log, views."""

import pytest
from django.urls import reverse

from reports import rules
from reports.models import EventKind, Report, ReportEvent, Role, Status, WorkflowError
from reports.models.workflow import warning_key
from tests.helpers import published_report, ready_report

pytestmark = pytest.mark.django_db


def events_of(report: Report) -> list[tuple[str, str, str, str]]:
    return [
        (e.kind, e.actor.username, e.from_status, e.to_status)
        for e in ReportEvent.objects.filter(report=report).select_related("actor")
    ]


@pytest.fixture
def test_warning():
    """A warning rule registered for one test (R7–R13 come from another branch)."""

    def warn(doc, context):
        yield rules.Finding(
            "RX", "warning", "测试警告：本年数字与上年差异较大。", section="problems"
        )

    rules.RULES.append(rules.Rule("RX", "warning", "测试警告", warn))
    yield
    rules.RULES[:] = [r for r in rules.RULES if r.id != "RX"]


# --- submit ---------------------------------------------------------------------------


def test_clerk_submits_a_clean_draft_and_an_event_is_written(alice):
    report = ready_report()
    report.submit(alice)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert events_of(report) == [("submit", "alice", "draft", "submitted")]


def test_submit_gate_refuses_an_r1_violation(alice):
    report = ready_report()
    report.app_new_received_natural_person += 1
    report.save()
    with pytest.raises(WorkflowError) as refused:
        report.submit(alice)
    assert "错误" in refused.value.message
    assert {f.rule for f in refused.value.findings} == {"R1"}
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert not ReportEvent.objects.exists()


def test_reviewer_and_outsider_clerk_cannot_submit(bob, mallory):
    report = ready_report()
    for user in (bob, mallory):
        with pytest.raises(WorkflowError) as refused:
            report.submit(user)
        assert refused.value.forbidden
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT


def test_a_warning_needs_a_written_explanation(alice, test_warning):
    report = ready_report()
    [warning] = report.submit_check().warnings
    with pytest.raises(WorkflowError) as refused:
        report.submit(alice, {warning_key(warning): "   "})
    assert "说明" in refused.value.message
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT

    report.submit(alice, {warning_key(warning): "本年新设窗口，申请量增加。"})
    event = ReportEvent.objects.get(report=report)
    assert event.explanations == [
        {
            "rule": "RX",
            "message": "测试警告：本年数字与上年差异较大。",
            "explanation": "本年新设窗口，申请量增加。",
        }
    ]


def test_reviewer_sees_the_explanation_of_a_warning(client, alice, bob, test_warning):
    report = ready_report()
    [warning] = report.submit_check().warnings
    client.force_login(alice)
    response = client.post(
        reverse("reports:submit", args=[report.pk]),
        {"explain-" + warning_key(warning): "本年新设窗口，申请量增加。"},
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED
    client.force_login(bob)
    page = client.get(report.get_absolute_url()).getvalue().decode()
    assert "本年新设窗口，申请量增加。" in page
    assert 'id="approve-button"' in page


def test_submitted_report_is_locked_for_its_clerk(client, alice):
    report = ready_report()
    report.submit(alice)
    client.force_login(alice)
    url = reverse("reports:section", args=[report.pk, "problems"])
    response = client.post(url, {"problems": "改了", "version": report.version})
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).problems != "改了"
    page = client.get(url).getvalue().decode()
    assert "本机关审核人可以将其退回后由填报人修改" in page


# --- approve, return ------------------------------------------------------------------


def test_reviewer_approves_a_submitted_report(alice, bob):
    report = ready_report()
    report.submit(alice)
    report.approve(bob)
    assert Report.objects.get(pk=report.pk).status == Status.APPROVED
    assert events_of(report)[-1] == ("approve", "bob", "submitted", "approved")


def test_the_submitter_cannot_approve_their_own_report(alice):
    report = ready_report()
    report.submit(alice)
    alice.role = Role.REVIEWER
    alice.save()
    with pytest.raises(WorkflowError, match="提交人不能审核自己提交的报告"):
        report.approve(alice)
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_a_draft_cannot_be_approved_and_a_clerk_cannot_approve(alice, bob):
    report = ready_report()
    with pytest.raises(WorkflowError, match="只有待审核的报告可以审核通过"):
        report.approve(bob)
    report.submit(alice)
    with pytest.raises(WorkflowError) as refused:
        report.approve(alice)
    assert refused.value.forbidden
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_return_requires_a_comment(alice, bob):
    report = ready_report()
    report.submit(alice)
    with pytest.raises(WorkflowError, match="必须填写退回意见"):
        report.return_to_clerk(bob, "  ")
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def test_returned_report_shows_the_comment_and_can_be_fixed_and_resubmitted(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    report.return_to_clerk(bob, "第五部分过于简单，请补充。")
    assert Report.objects.get(pk=report.pk).status == Status.RETURNED
    client.force_login(alice)
    assert "第五部分过于简单，请补充。" in client.get(report.get_absolute_url()).getvalue().decode()
    assert "第五部分过于简单，请补充。" in client.get(reverse("reports:list")).getvalue().decode()
    assert "第五部分过于简单，请补充。" in client.get(reverse("home")).getvalue().decode()

    report.refresh_from_db()
    url = reverse("reports:section", args=[report.pk, "problems"])
    response = client.post(
        url,
        {
            "problems": "补充后的问题：公开内容不够丰富，下一步将加以改进。",
            "version": report.version,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    report.submit(alice)
    assert [e[0] for e in events_of(report)] == ["submit", "return", "submit"]
    assert report.return_comment() == ""


def test_oversight_cannot_approve_or_return(alice, carol):
    report = ready_report()
    report.submit(alice)
    for move in (lambda: report.approve(carol), lambda: report.return_to_clerk(carol, "x")):
        with pytest.raises(WorkflowError) as refused:
            move()
        assert refused.value.forbidden
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


# --- publish ----------------------------------------------------------------------------


def test_reviewer_publishes_an_approved_report_and_the_date_is_recorded(alice, bob):
    report = published_report(alice, bob)
    report.refresh_from_db()
    assert report.status == Status.PUBLISHED
    assert report.published_on is not None
    assert events_of(report)[-1] == ("publish", "bob", "approved", "published")


def test_publishing_after_31_january_shows_how_late(client, monkeypatch, alice, bob):
    from datetime import date

    from django.utils import timezone

    report = ready_report()  # 2023: due on 31 January 2024
    report.submit(alice)
    report.approve(bob)
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2024, 2, 5))
    report.publish(bob)
    assert Report.objects.get(pk=report.pk).days_late == 5
    client.force_login(bob)
    assert "逾期5天发布" in client.get(report.get_absolute_url()).getvalue().decode()


def test_a_submitted_report_cannot_be_published(alice, bob):
    report = ready_report()
    report.submit(alice)
    with pytest.raises(WorkflowError, match="只有已审核的报告可以发布"):
        report.publish(bob)
    assert Report.objects.get(pk=report.pk).published_on is None


def test_publishing_announces_itself_once_committed(alice, bob, django_capture_on_commit_callbacks):
    from reports.models.workflow import report_published

    seen = []

    def receiver(sender, report, **kwargs):
        seen.append(report.pk)

    report_published.connect(receiver)
    try:
        report = ready_report()
        report.submit(alice)
        report.approve(bob)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report.publish(bob)
        assert seen == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert seen == [report.pk]
    finally:
        report_published.disconnect(receiver)


# --- views ------------------------------------------------------------------------------


# 审核通过 and 发布 answer GET with a confirmation page (tests/test_review_confirm.py).
@pytest.mark.parametrize("name", ["submit", "return", "revise", "correct"])
def test_transition_views_refuse_get(client, alice, name):
    report = ready_report()
    client.force_login(alice)
    assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 405


def test_outsider_gets_404_from_every_transition_and_nothing_moves(client, alice, mallory):
    report = ready_report()
    report.submit(alice)
    client.force_login(mallory)
    for name in ("submit", "approve", "return", "publish", "revise", "correct"):
        response = client.post(reverse(f"reports:{name}", args=[report.pk]), {"comment": "x"})
        assert response.status_code == 404, name
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED
    assert Report.objects.count() == 1


def test_submit_view_with_an_error_shows_the_finding_and_refuses(client, alice):
    report = ready_report()
    report.app_new_received_natural_person += 1
    report.save()
    client.force_login(alice)
    response = client.post(reverse("reports:submit", args=[report.pk]))
    assert response.status_code == 400
    page = response.getvalue().decode()
    assert "未提交：检查发现" in page and 'data-rule="R1"' in page
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT


def test_explanations_typed_are_kept_when_one_is_missing(client, alice, test_warning):
    def second(doc, context):
        yield rules.Finding(
            "RY", "warning", "测试警告：第六部分未提及收费。", section="other_matters"
        )

    rules.RULES.append(rules.Rule("RY", "warning", "测试警告二", second))
    try:
        report = ready_report()
        first, _unexplained = report.submit_check().warnings
        client.force_login(alice)
        response = client.post(
            reverse("reports:submit", args=[report.pk]),
            {"explain-" + warning_key(first): "已写好的说明。"},
        )
    finally:
        rules.RULES[:] = [r for r in rules.RULES if r.id != "RY"]
    assert response.status_code == 400
    page = response.getvalue().decode()
    assert "1项警告尚未填写说明" in page
    assert "已写好的说明。</textarea>" in page
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT


def test_whole_path_through_the_views(client, alice, bob):
    report = ready_report()
    client.force_login(alice)
    client.post(reverse("reports:submit", args=[report.pk]))
    client.force_login(bob)
    client.post(reverse("reports:return", args=[report.pk]), {"comment": "请补充第六部分。"})
    client.force_login(alice)
    client.post(reverse("reports:submit", args=[report.pk]))
    client.force_login(bob)
    client.post(reverse("reports:approve", args=[report.pk]))
    client.post(reverse("reports:publish", args=[report.pk]))
    assert Report.objects.get(pk=report.pk).status == Status.PUBLISHED
    assert [e.kind for e in ReportEvent.objects.filter(report=report)] == [
        EventKind.SUBMIT,
        EventKind.RETURN,
        EventKind.SUBMIT,
        EventKind.APPROVE,
        EventKind.PUBLISH,
    ]


def test_a_transition_never_writes_back_stale_content(alice):
    report = ready_report()
    stale = Report.objects.get(pk=report.pk)
    fresh = Report.objects.get(pk=report.pk)
    fresh.problems = "刚刚保存的第五部分：公开内容不够丰富，下一步将加以改进。"
    fresh.save()
    stale.submit(alice)
    stored = Report.objects.get(pk=report.pk)
    assert (stored.status, stored.problems) == (
        Status.SUBMITTED,
        "刚刚保存的第五部分：公开内容不够丰富，下一步将加以改进。",
    )


def test_the_submit_gate_judges_what_is_stored_not_a_stale_instance(alice):
    report = ready_report()
    stale = Report.objects.get(pk=report.pk)
    fresh = Report.objects.get(pk=report.pk)
    fresh.app_new_received_natural_person += 1
    fresh.save()
    with pytest.raises(WorkflowError):
        stale.submit(alice)
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT


def test_a_forbidden_transition_says_why_in_chinese(client, alice, carol):
    report = ready_report()
    report.submit(alice)
    client.force_login(carol)
    response = client.post(reverse("reports:approve", args=[report.pk]))
    assert response.status_code == 403
    assert "只有本机关的审核人可以审核。" in response.getvalue().decode()
