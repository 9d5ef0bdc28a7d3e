"""The Django admin manages agencies (a tree) and users with their agency and role."""

import pytest
from django.urls import reverse

from reports.models import Agency, Report, Status, User
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = User.objects.create_superuser("root", password="x-very-long-password-1")
    client.force_login(user)
    return user


def test_staff_adds_an_agency_beneath_a_government(client, staff, agencies):
    response = client.post(
        reverse("admin:reports_agency_add"),
        {"name": "宁波市镇海区财政局", "parent": agencies["zhenhai"].pk, "is_government": ""},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="宁波市镇海区财政局")
    assert agency in agencies["zhenhai"].subtree()
    body = client.get(reverse("admin:reports_agency_changelist")).getvalue().decode()
    assert "宁波市镇海区财政局" in body


def test_staff_gives_a_user_an_agency_and_role(client, staff, agencies):
    user = User.objects.create_user("dave", password="x-very-long-password-2")
    data = {
        "username": "dave",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "agency": agencies["finance"].pk,
        "role": "reviewer",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(reverse("admin:reports_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.getvalue().decode()[:2000]
    user.refresh_from_db()
    assert (user.agency, user.role) == (agencies["finance"], "reviewer")


def test_admin_cannot_change_a_published_report(client, staff, agencies):
    report = make_report(agencies["office"])
    Report.objects.filter(pk=report.pk).update(status=Status.PUBLISHED)
    url = reverse("admin:reports_report_change", args=[report.pk])
    client.post(url, {"title": "改过的标题"})
    report.refresh_from_db()
    assert report.title != "改过的标题"


def test_non_staff_cannot_open_the_admin(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:reports_agency_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_the_admin_knows_agencies_users_and_reports_from_start_up():
    from django.contrib.admin.sites import site

    from reports.models import User

    assert site.is_registered(Report)
    assert site.is_registered(Agency)
    assert site.is_registered(User)
