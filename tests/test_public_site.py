"""The public site (no login) and each user's inbox on the home page."""

from datetime import date

import pytest
from django.urls import reverse

from reports.models import Agency, Report, Status
from reports.oversight.inbox import oversight_dues
from tests.helpers import make_report, published_report, ready_report

pytestmark = pytest.mark.django_db


def test_anonymous_home_leads_to_the_public_list(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("public:list")


def test_public_list_shows_published_reports_and_filters_by_agency_and_year(
    client, alice, bob, agencies
):
    published = published_report(alice, bob)
    draft = make_report(agencies["finance"], 2023)
    other = make_report(agencies["weidong"], 2022)
    Report.objects.filter(pk=other.pk).update(
        status=Status.PUBLISHED, published_on=date(2023, 1, 20)
    )

    page = client.get(reverse("public:list")).getvalue().decode()
    assert published.title in page and other.title in page
    assert draft.title not in page

    page = client.get(reverse("public:list"), {"year": 2022}).getvalue().decode()
    assert other.title in page and published.title not in page
    page = client.get(reverse("public:list"), {"agency": "镇海区人民政府办公"}).getvalue().decode()
    assert published.title in page and other.title not in page


def test_public_report_page_renders_the_document_without_login(client, alice, bob):
    report = published_report(alice, bob)
    response = client.get(reverse("public:detail", args=[report.pk]))
    assert response.status_code == 200
    page = response.getvalue().decode()
    assert report.title in page
    assert "二、主动公开政府信息情况" in page
    assert "本报告已于" not in page  # not revised


def test_public_pages_refuse_post(client, alice, bob):
    report = published_report(alice, bob)
    assert client.post(reverse("public:detail", args=[report.pk])).status_code == 405
    assert client.post(reverse("public:list")).status_code == 405


def test_a_bad_filter_value_is_ignored_not_an_error(client, alice, bob):
    report = published_report(alice, bob)
    page = client.get(reverse("public:list"), {"year": "abc", "region": "x", "after": "-1"})
    assert report.title in page.getvalue().decode()


def test_public_list_query_count_is_bounded(client, alice, bob, django_assert_max_num_queries):
    report = published_report(alice, bob)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("public:list"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["reports"]] == [report.pk]


# --- inbox ------------------------------------------------------------------------------


def test_reviewer_home_lists_the_submitted_reports(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    client.force_login(bob)
    response = client.get(reverse("home"))
    assert list(response.context["to_review"]) == [report]
    assert report.title in response.getvalue().decode()


def test_clerk_home_lists_the_returned_reports_with_the_comment(client, alice, bob):
    report = ready_report()
    report.submit(alice)
    report.return_to_clerk(bob, "请核对表三。")
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert [r.pk for r in response.context["returned"]] == [report.pk]
    assert "请核对表三。" in response.getvalue().decode()


def test_oversight_sees_missing_and_late_reports_as_the_deadline_nears_and_passes(carol, agencies):
    office = make_report(agencies["office"], 2024)
    Report.objects.filter(pk=office.pk).update(
        status=Status.PUBLISHED, published_on=date(2025, 2, 3)
    )
    weidong = make_report(agencies["weidong"], 2024)  # not beneath carol's government

    def listed(today: date) -> dict[str, str]:
        return {
            d.agency.name: ("late" if d.is_late else "missing")
            for d in oversight_dues(carol, today)
        }

    # A government beneath carol's publishes by 31 March: not listed until that nears.
    Agency.objects.create(
        name="宁波市镇海区某镇人民政府", parent=agencies["zhenhai"], is_government=True
    )

    # Three weeks before 31 January neither department has published yet.
    assert listed(date(2025, 1, 10)) == {
        "宁波市镇海区人民政府办公室": "missing",
        "宁波市镇海区金融发展服务中心": "missing",
    }
    assert listed(date(2025, 2, 10)) == {
        "宁波市镇海区人民政府办公室": "late",
        "宁波市镇海区金融发展服务中心": "missing",
    }
    assert listed(date(2025, 3, 10))["宁波市镇海区某镇人民政府"] == "missing"
    assert weidong.agency.name not in listed(date(2025, 3, 10))


def test_oversight_home_shows_its_agencies_and_no_one_else(client, carol, agencies):
    client.force_login(carol)
    page = client.get(reverse("home")).getvalue().decode()
    assert "宁波市镇海区金融发展服务中心" in page
    assert "卫东区金融工作局" not in page


def test_oversight_inbox_page_says_how_many_days_remain_or_are_overdue(rf, carol, agencies):
    from django.shortcuts import render

    from reports.oversight.inbox import inbox_for

    def page(today: date) -> str:
        request = rf.get("/")
        request.user = carol
        return render(request, "reports/home.html", inbox_for(carol, today)).getvalue().decode()

    assert "距截止日期还有21天" in page(date(2025, 1, 10))
    assert "已逾期10天" in page(date(2025, 2, 10))
