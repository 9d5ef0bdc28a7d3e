"""Review by cell in a real browser: bob puts a 批注 on a cell and one on section 五 and
returns the report; alice finds both in place, answers and marks them 已处理, submits
again; bob sees them dealt with and what changed, and approves through the
confirmation."""

import pytest

from reports.models import Annotation, AnnotationStatus, EventKind, Report, ReportEvent, Status
from tests.conftest import login, screenshot
from tests.helpers import ready_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CELL = "app_granted_natural_person"


def test_a_note_goes_from_reviewer_to_clerk_and_back(new_page, alice, bob):
    report = ready_report()
    report.submit(alice)

    # bob chooses a cell by clicking it and writes a 批注 on it.
    b = new_page()
    login(b, bob)
    b.goto(f"/reports/{report.pk}/edit/applications/")
    b.click(f'td[data-field="{CELL}"]')
    assert b.input_value("#annotation-field") == CELL
    b.fill("#annotation-body", "自然人予以公开数与上年差异较大，请核对。")
    b.click("#annotation-submit")
    b.wait_for_selector("text=已添加批注：表三 （一）予以公开 · 自然人。")
    assert b.locator(f'td.has-annotation[data-field="{CELL}"]').count() == 1
    screenshot(b, "review-reviewer-annotates-a-cell")
    # And one on the whole of section 五.
    b.goto(f"/reports/{report.pk}/edit/problems/")
    b.select_option("#annotation-field", "")
    b.fill("#annotation-body", "请写明整改措施和时限。")
    b.click("#annotation-submit")
    b.wait_for_selector("text=已添加批注")
    b.goto(f"/reports/{report.pk}/")
    assert "（2条待处理，共2条）" in b.inner_text("#annotation-summary")
    b.fill("#return-comment-input", "请按批注修改。")
    b.click("#return-button")
    b.wait_for_selector("text=已退回填报人修改。")

    # alice finds the cell's 批注 in place and answers it, marking it dealt with.
    a = new_page()
    login(a, alice)
    a.goto(f"/reports/{report.pk}/")
    a.click("#annotation-summary >> text=表三 （一）予以公开 · 自然人")
    a.wait_for_url("**/edit/applications/**")
    assert a.locator(f'td.has-annotation[data-field="{CELL}"]').count() == 1
    note = Annotation.objects.get(field=CELL)
    card = a.locator(f"#annotation-{note.pk}")
    assert "自然人予以公开数与上年差异较大，请核对。" in card.inner_text()
    screenshot(a, "review-clerk-sees-the-note-in-place")
    card.locator("textarea").fill("已与登记台账核对，数字无误。")
    card.locator("button[name=resolve]").click()
    a.wait_for_selector("text=已答复并标记为已处理。")
    assert a.locator(f'td.has-annotation[data-field="{CELL}"]').count() == 0
    # The one on section 五: the text changed, then marked dealt with.
    a.goto(f"/reports/{report.pk}/edit/problems/")
    a.fill("#id_problems", "公开内容不够丰富。整改措施：2024年6月底前完成栏目梳理。")
    a.click("#save")
    a.wait_for_selector("text=已保存。")
    a.locator(".annotation button[name=resolve]").click()
    a.wait_for_selector("text=已答复并标记为已处理。")
    a.goto(f"/reports/{report.pk}/")
    a.click("#submit-button")
    a.wait_for_selector("text=已提交审核。")

    # bob sees both dealt with and what changed, then approves through the confirmation.
    b.goto(f"/reports/{report.pk}/")
    assert "（0条待处理，共2条）" in b.inner_text("#annotation-summary")
    assert "已与登记台账核对，数字无误。" in b.inner_text("#annotation-summary")
    b.click("#review-changes")
    assert "2024年6月底前完成栏目梳理" in b.inner_text("#changes-table")
    screenshot(b, "review-changes-since-the-last-submission")
    b.go_back()
    b.click("#approve-button")
    assert "2条批注均已处理" in b.inner_text("#confirm-annotations-done")
    screenshot(b, "review-confirm-approve")
    b.click("#confirm-approve")
    b.wait_for_selector("text=已审核通过。")

    assert Report.objects.get(pk=report.pk).status == Status.APPROVED
    notes = list(Annotation.objects.filter(report=report).order_by("pk"))
    assert [n.status for n in notes] == [AnnotationStatus.RESOLVED] * 2
    assert [n.resolved_by for n in notes] == [alice, alice]
    assert [r.body for r in notes[0].replies.all()] == ["已与登记台账核对，数字无误。"]
    kinds = list(ReportEvent.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == [
        EventKind.SUBMIT,
        EventKind.ANNOTATE,
        EventKind.ANNOTATE,
        EventKind.RETURN,
        EventKind.ANSWER,
        EventKind.RESOLVE,
        EventKind.RESOLVE,
        EventKind.SUBMIT,
        EventKind.APPROVE,
    ]
    for page in (a, b):
        assert not [e for e in page.console_errors if "Content Security Policy" in e]
