"""Review by cell: a reviewer's 批注 on a cell, a table or a section, answered and
marked 已处理 by the clerk, shown in place, in the report's record, and refused to
everybody else."""

import pytest
from django.urls import reverse

from reports.models import Annotation, AnnotationStatus, EventKind, Report, ReportEvent, Status
from reports.spec import schema
from tests.helpers import published_report, ready_report

pytestmark = pytest.mark.django_db

CELL = "app_granted_natural_person"  # 表三 （一）予以公开 · 自然人


@pytest.fixture
def submitted(alice):
    report = ready_report()
    report.submit(alice)
    return report


def annotate_url(report):
    return reverse("reports:annotate", args=[report.pk])


def step_url(name, annotation):
    return reverse(f"reports:annotation_{name}", args=[annotation.report_id, annotation.pk])


def test_reviewer_attaches_a_note_to_a_cell_and_it_is_in_the_record(client, bob, submitted):
    client.force_login(bob)
    response = client.post(
        annotate_url(submitted),
        {"page": "applications", "field": CELL, "body": "予以公开数与上年相比变化较大，请核对。"},
    )
    [note] = Annotation.objects.filter(report=submitted)
    assert response.status_code == 302
    assert response.url.endswith(f"/edit/applications/#annotation-{note.pk}")
    assert (note.page, note.field, note.author, note.status) == (
        "applications",
        CELL,
        bob,
        AnnotationStatus.OPEN,
    )
    assert note.target_label == "表三 （一）予以公开 · 自然人"
    event = ReportEvent.objects.filter(report=submitted).last()
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        EventKind.ANNOTATE,
        bob,
        Status.SUBMITTED,
        Status.SUBMITTED,
    )
    assert event.comment == "表三 （一）予以公开 · 自然人：予以公开数与上年相比变化较大，请核对。"
    # The report's state is untouched.
    assert Report.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_a_note_may_be_on_a_whole_table_or_a_narrative_section(bob, submitted):
    table = Annotation.attach(submitted, bob, "applications", "", "表三整体请再核对一遍。")
    section = Annotation.attach(submitted, bob, "problems", "problems", "问题写得过于笼统。")
    assert table.target_label == "三、收到和处理政府信息公开申请情况"
    assert section.target_label == "五、存在的主要问题及改进情况"


def test_a_note_on_something_the_page_does_not_hold_is_refused_in_chinese(client, bob, submitted):
    client.force_login(bob)
    response = client.post(
        annotate_url(submitted),
        {"page": "problems", "field": CELL, "body": "这个单元格不在第五部分。"},
        follow=True,
    )
    assert "请选择要批注的单元格、表格或部分。" in response.content.decode()
    response = client.post(
        annotate_url(submitted), {"page": "applications", "field": CELL, "body": "  "}, follow=True
    )
    assert "批注内容不能为空。" in response.content.decode()
    assert not Annotation.objects.exists()


def test_an_unknown_page_is_not_found(client, bob, submitted):
    client.force_login(bob)
    response = client.post(annotate_url(submitted), {"page": "nope", "field": "", "body": "x"})
    assert response.status_code == 404
    assert not Annotation.objects.exists()


def test_the_clerk_and_the_outsider_cannot_annotate(client, alice, mallory, submitted):
    data = {"page": "applications", "field": CELL, "body": "自己批注自己。"}
    client.force_login(alice)
    assert client.post(annotate_url(submitted), data).status_code == 403
    client.force_login(mallory)
    assert client.post(annotate_url(submitted), data).status_code == 404
    assert not Annotation.objects.exists()


def test_a_reviewer_cannot_annotate_a_draft(client, bob):
    report = ready_report()
    client.force_login(bob)
    response = client.post(
        annotate_url(report), {"page": "applications", "field": CELL, "body": "尚未提交。"}
    )
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_annotating_is_post_only(client, bob, submitted):
    client.force_login(bob)
    assert client.get(annotate_url(submitted)).status_code == 405


def test_the_clerk_answers_and_marks_the_note_dealt_with_once_returned(
    client, alice, bob, submitted
):
    note = Annotation.attach(submitted, bob, "applications", CELL, "请核对。")
    submitted.return_to_clerk(bob, "请按批注修改。")
    client.force_login(alice)
    response = client.post(step_url("answer", note), {"body": "已核对，数字无误。", "resolve": "1"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == AnnotationStatus.RESOLVED
    assert note.resolved_by == alice
    assert [r.body for r in note.replies.all()] == ["已核对，数字无误。"]
    kinds = list(ReportEvent.objects.filter(report=submitted).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.ANSWER, EventKind.RESOLVE]


def test_the_clerk_cannot_resolve_while_the_report_is_submitted(client, alice, bob, submitted):
    note = Annotation.attach(submitted, bob, "applications", CELL, "请核对。")
    client.force_login(alice)
    assert client.post(step_url("resolve", note)).status_code == 403
    assert client.post(step_url("answer", note), {"body": "答复"}).status_code == 403
    note.refresh_from_db()
    assert note.status == AnnotationStatus.OPEN
    assert not note.replies.exists()


def test_outsiders_cannot_answer_resolve_or_reopen(client, mallory, bob, alice, submitted):
    note = Annotation.attach(submitted, bob, "applications", CELL, "请核对。")
    submitted.return_to_clerk(bob, "请按批注修改。")
    client.force_login(mallory)
    for name in ("answer", "resolve", "reopen"):
        assert client.post(step_url(name, note), {"body": "x"}).status_code == 404
    note.refresh_from_db()
    assert note.status == AnnotationStatus.OPEN
    assert not note.replies.exists()


def test_the_steps_of_a_note_are_post_only(client, alice, bob, submitted):
    note = Annotation.attach(submitted, bob, "applications", CELL, "请核对。")
    client.force_login(alice)
    for name in ("answer", "resolve", "reopen"):
        assert client.get(step_url(name, note)).status_code == 405


def test_the_reviewer_reopens_a_note_dealt_with(client, alice, bob, submitted):
    note = Annotation.attach(submitted, bob, "applications", CELL, "请核对。")
    submitted.return_to_clerk(bob, "请按批注修改。")
    note.answer(alice, "已改。", resolve=True)
    submitted.refresh_from_db()
    submitted.submit(alice)
    client.force_login(bob)
    response = client.post(step_url("reopen", note), {"body": "仍未改对。"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == AnnotationStatus.OPEN
    assert note.resolved_by is None
    assert [r.body for r in note.replies.all()] == ["已改。", "仍未改对。"]
    # The clerk cannot reopen, and the reviewer cannot mark it dealt with.
    client.force_login(alice)
    assert client.post(step_url("reopen", note)).status_code == 403


def test_the_section_editor_shows_each_note_in_place(client, alice, bob, submitted):
    Annotation.attach(submitted, bob, "applications", CELL, "自然人予以公开数请核对。")
    Annotation.attach(submitted, bob, "problems", "problems", "第五部分的批注。")
    submitted.return_to_clerk(bob, "请按批注修改。")
    client.force_login(alice)
    page = client.get(reverse("reports:section", args=[submitted.pk, "applications"]))
    html = page.content.decode()
    assert "自然人予以公开数请核对。" in html
    assert "第五部分的批注。" not in html  # only this page's
    assert "1条待处理" in html
    assert 'has-annotation" data-field="app_granted_natural_person"' in html
    assert "答复并标记为已处理" in html
    assert 'id="annotation-form"' not in html  # the clerk does not annotate


def test_the_reviewer_sees_the_form_with_every_cell_of_the_table(client, bob, submitted):
    client.force_login(bob)
    html = client.get(reverse("reports:section", args=[submitted.pk, "applications"])).content
    html = html.decode()
    assert 'id="annotation-form"' in html
    cells = [c for c in schema.CELLS if c.table == "applications"]
    assert len(cells) == 25 * 7
    for c in cells:
        assert f'<option value="{c.field}">' in html


def test_the_report_page_lists_the_open_notes_first(client, alice, bob, submitted):
    done = Annotation.attach(submitted, bob, "applications", CELL, "已处理的批注。")
    Annotation.attach(submitted, bob, "problems", "", "尚未处理的批注。")
    submitted.return_to_clerk(bob, "请按批注修改。")
    done.answer(alice, "", resolve=True)
    client.force_login(bob)
    html = client.get(submitted.get_absolute_url()).content.decode()
    assert "（1条待处理，共2条）" in html
    assert html.index("尚未处理的批注。") < html.index("已处理的批注。")


def test_the_return_comment_is_the_reviewers_not_a_later_answer(alice, bob, submitted):
    note = Annotation.attach(submitted, bob, "problems", "", "请补充。")
    submitted.return_to_clerk(bob, "请按批注修改。")
    note.answer(alice, "已补充。")
    submitted.refresh_from_db()
    # The answer is an event of the returned report too, with a comment of its own.
    assert ReportEvent.objects.filter(report=submitted).last().to_status == Status.RETURNED
    [row] = Report.objects.filter(pk=submitted.pk).with_return_comment()
    assert row.last_return_comment == "请按批注修改。"
    assert submitted.return_comment() == "请按批注修改。"


def test_oversight_notes_on_a_published_report_go_with_the_correction(alice, bob, carol):
    report = published_report(alice, bob)
    note = Annotation.attach(report, carol, "problems", "problems", "第五部分未写整改措施。")
    revision = report.send_for_correction(carol, "请按批注更正。")
    note.refresh_from_db()
    assert note.report_id == revision.pk
    assert revision.status == Status.RETURNED
    # The clerk answers it on the correction; the return comment is oversight's.
    note.answer(alice, "已补充整改措施。", resolve=True)
    assert Annotation.objects.get(pk=note.pk).status == AnnotationStatus.RESOLVED
    assert Report.objects.get(pk=revision.pk).return_comment() == "请按批注更正。"


def test_oversight_of_another_region_cannot_annotate(alice, bob, agencies):
    from reports.models import Role, User, WorkflowError

    report = published_report(alice, bob)
    other = User.objects.create_user("otto", role=Role.OVERSIGHT, agency=agencies["weidong"])
    with pytest.raises(WorkflowError) as refused:
        Annotation.attach(report, other, "problems", "", "越权批注。")
    assert refused.value.forbidden
    assert not Annotation.objects.exists()
