"""审核通过 and 发布 are confirmed first: a page says what will happen (open 批注,
the publication date and how late it is) and nothing changes until it is confirmed."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Annotation, Report, Status
from tests.helpers import ready_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(alice):
    report = ready_report()  # 宁波市镇海区人民政府办公室 2023: a department, due 2024年1月31日
    report.submit(alice)
    return report


@pytest.fixture
def approved(submitted, bob):
    submitted.approve(bob)
    return submitted


def on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def test_the_approve_button_asks_first_and_changes_nothing(client, bob, submitted):
    client.force_login(bob)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert f'href="{reverse("reports:approve", args=[submitted.pk])}" id="approve-button"' in page
    response = client.get(reverse("reports:approve", args=[submitted.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "确认审核通过" in html
    assert "报告状态由“待审核”变为“已审核”" in html
    assert Report.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_the_approve_confirmation_lists_the_open_notes(client, bob, submitted):
    Annotation.attach(submitted, bob, "problems", "", "第五部分请再充实。")
    client.force_login(bob)
    html = client.get(reverse("reports:approve", args=[submitted.pk])).content.decode()
    assert "尚有1条批注未处理" in html
    assert "第五部分请再充实。" in html


def test_confirming_approves_with_the_comment(client, bob, submitted):
    client.force_login(bob)
    response = client.post(
        reverse("reports:approve", args=[submitted.pk]), {"comment": "同意发布。"}
    )
    assert response.status_code == 302
    report = Report.objects.get(pk=submitted.pk)
    assert report.status == Status.APPROVED
    assert report.last_event().comment == "同意发布。"


def test_the_clerk_and_the_outsider_get_no_approve_confirmation(client, alice, mallory, submitted):
    client.force_login(alice)
    assert client.get(reverse("reports:approve", args=[submitted.pk])).status_code == 403
    client.force_login(mallory)
    assert client.get(reverse("reports:approve", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("reports:approve", args=[submitted.pk])).status_code == 404
    assert Report.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_approve_and_publish_take_no_other_method(client, bob, submitted):
    client.force_login(bob)
    assert client.put(reverse("reports:approve", args=[submitted.pk])).status_code == 405
    assert client.put(reverse("reports:publish", args=[submitted.pk])).status_code == 405


def test_the_publish_confirmation_says_how_late_it_would_be(client, bob, approved, monkeypatch):
    # 2024年1月31日 to 2024年3月1日: 29 days of February (a leap year) and one more.
    on(monkeypatch, date(2024, 3, 1))
    client.force_login(bob)
    detail = client.get(approved.get_absolute_url()).content.decode()
    assert "今天发布将逾期30天" in detail
    html = client.get(reverse("reports:publish", args=[approved.pk])).content.decode()
    assert "2024年3月1日（今天）" in html
    assert '截止日期</dt><dd class="col-sm-9">2024年1月31日' in html
    assert "逾期30天发布" in html
    assert "发布不能撤回" in html
    assert Report.objects.get(pk=approved.pk).status == Status.APPROVED


def test_the_publish_confirmation_says_on_time_before_the_deadline(
    client, bob, approved, monkeypatch
):
    on(monkeypatch, date(2024, 1, 20))
    client.force_login(bob)
    html = client.get(reverse("reports:publish", args=[approved.pk])).content.decode()
    assert "按期发布" in html
    assert "逾期" not in html


def test_confirming_publishes_and_says_how_late_it_was(client, bob, approved, monkeypatch):
    on(monkeypatch, date(2024, 3, 1))
    client.force_login(bob)
    response = client.post(reverse("reports:publish", args=[approved.pk]), follow=True)
    report = Report.objects.get(pk=approved.pk)
    assert report.status == Status.PUBLISHED
    assert report.published_on == date(2024, 3, 1)
    assert "已发布，发布日期2024年3月1日，逾期30天发布。" in response.content.decode()


def test_the_clerk_and_the_outsider_get_no_publish_confirmation(client, alice, mallory, approved):
    client.force_login(alice)
    assert client.get(reverse("reports:publish", args=[approved.pk])).status_code == 403
    client.force_login(mallory)
    assert client.get(reverse("reports:publish", args=[approved.pk])).status_code == 404
    assert Report.objects.get(pk=approved.pk).status == Status.APPROVED
