"""What a reviewer reads before deciding: the changes since the last submission, cell
by cell with who and when."""

import pytest
from django.urls import reverse

from reports.models import Report
from reports.models.workflow import warning_key
from tests.helpers import ready_report

pytestmark = pytest.mark.django_db


def save_as(user, report: Report, **values) -> None:
    """A save the way the section editor makes it: the history row names the user."""
    report.refresh_from_db()
    for name, value in values.items():
        setattr(report, name, value)
    report._history_user = user
    report.save()


@pytest.fixture
def resubmitted(alice, bob):
    """Submitted, returned, two cells and section 五 changed by alice, submitted again."""
    report = ready_report()
    report.submit(alice)
    report.return_to_clerk(bob, "请核对予以公开数。")
    granted = report.app_granted_natural_person
    save_as(alice, report, app_granted_natural_person=granted + 1)
    save_as(
        alice,
        report,
        app_granted_natural_person=granted + 2,
        app_new_received_natural_person=report.app_new_received_natural_person + 2,
    )
    save_as(alice, report, problems="改后的问题与整改措施。")
    report.refresh_from_db()
    # The changed figures may draw warnings (a jump from last year); each is explained.
    report.submit(alice, {warning_key(f): "已核对。" for f in report.submit_check().warnings})
    report.granted_before = granted  # type: ignore[attr-defined]
    return report


def test_the_reviewer_sees_each_changed_cell_from_submitted_to_now(client, bob, resubmitted):
    client.force_login(bob)
    response = client.get(reverse("reports:changes", args=[resubmitted.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "共3处修改" in html
    granted = resubmitted.granted_before
    row = html[html.index('data-field="app_granted_natural_person"') :]
    row = row[: row.index("</tr>")]
    assert "表三 （一）予以公开 · 自然人" in row
    assert f'<td class="history-old">{granted}</td>' in row
    assert f'<td class="history-new">{granted + 2}</td>' in row
    assert "alice" in row
    assert row.count("年") == 2  # saved twice: both times listed
    assert 'data-field="problems"' in html
    assert "改后的问题与整改措施。" in html


def test_a_first_submission_has_nothing_to_compare_with(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    client.force_login(bob)
    html = client.get(reverse("reports:changes", args=[report.pk])).content.decode()
    assert "这是首次提交审核" in html


def test_the_clerk_sees_what_they_changed_since_their_submission(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    report.return_to_clerk(bob, "请修改。")
    save_as(alice, report, other_matters="补充的其他事项。")
    client.force_login(alice)
    html = client.get(reverse("reports:changes", args=[report.pk])).content.decode()
    assert "共1处修改" in html
    assert "补充的其他事项。" in html


def test_outsiders_see_no_changes_and_only_get_is_allowed(client, mallory, bob, resubmitted):
    client.force_login(mallory)
    assert client.get(reverse("reports:changes", args=[resubmitted.pk])).status_code == 404
    client.force_login(bob)
    assert client.post(reverse("reports:changes", args=[resubmitted.pk])).status_code == 405
