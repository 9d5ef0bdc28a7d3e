"""A new year's report starts from last year's: carried-over figures and headings."""

import pytest
from django.urls import reverse

from reports.io.newyear import start_report
from reports.models import Report
from tests.helpers import import_seed, make_report


@pytest.fixture
def office_2023(agencies):
    """Seed 001 (宁波市镇海区人民政府办公室 2023) with a sixth sub-section of its own."""
    report = import_seed(1, complete=True)
    report.general.create(position=9, heading="（六）政务新媒体管理情况", body="本年度运维正常。")
    report.app_carried_forward_commercial = 1
    report.save()
    return report


@pytest.mark.django_db
def test_carried_over_comes_from_last_years_carried_forward_per_column(office_2023):
    report = start_report(office_2023.agency, 2024)
    apps = report.figures()["applications"]
    assert apps["carried_over"]["natural_person"] == 2
    assert apps["carried_over"]["commercial"] == 1
    assert apps["carried_over"]["research"] == 0
    assert apps["carried_over"]["total"] == 3
    assert apps["new_received"]["natural_person"] is None


@pytest.mark.django_db
def test_in_force_base_and_headings_but_not_text_are_carried(office_2023):
    report = start_report(office_2023.agency, 2024)
    assert report.ad_normative_documents_in_force == 116
    assert report.ad_normative_documents_issued is None
    headings = list(report.general.values_list("heading", "body"))
    assert headings[-1] == ("（六）政务新媒体管理情况", "")
    assert all(body == "" for _, body in headings)
    assert report.problems == ""


@pytest.mark.django_db
def test_without_last_years_report_nothing_is_prefilled(agencies):
    report = make_report(agencies["office"], 2024)
    assert report.prefilled == []
    assert report.app_carried_over_natural_person is None
    assert report.general.count() == 5


@pytest.mark.django_db
def test_create_page_says_what_was_prefilled(client, alice, office_2023):
    client.force_login(alice)
    response = client.post(reverse("reports:create"), {"year": 2024}, follow=True)
    page = response.getvalue().decode()
    assert "已根据2023年度报告预填" in page and "上年结转" in page
    report = Report.objects.get(agency=alice.agency, year=2024)
    assert report.app_carried_over_natural_person == 2


@pytest.mark.django_db
def test_editing_pages_say_what_came_from_last_year(client, alice, office_2023):
    report = start_report(office_2023.agency, 2024)
    client.force_login(alice)
    for section, words in (
        ("applications", "应等于2023年度报告的“四、结转下年度继续办理”"),
        ("active_disclosure", "现行有效件数"),
        ("general", "小标题沿用2023年度报告"),
    ):
        page = client.get(reverse("reports:section", args=[report.pk, section])).getvalue().decode()
        assert 'id="prefill-note"' in page and words in page, section
    page = client.get(reverse("reports:section", args=[report.pk, "problems"])).getvalue().decode()
    assert 'id="prefill-note"' not in page


@pytest.mark.django_db
def test_no_note_without_last_years_report(client, alice, agencies):
    report = make_report(agencies["office"], 2024)
    client.force_login(alice)
    url = reverse("reports:section", args=[report.pk, "applications"])
    page = client.get(url).getvalue().decode()
    assert 'id="prefill-note"' not in page
