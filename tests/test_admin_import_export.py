"""Agencies and users in and out of the admin (django-import-export), with a dry run."""

from __future__ import annotations

import io

import pytest
import tablib
from django.urls import reverse

from reports.io.resources import AgencyResource, UserResource
from reports.models import Agency, Role, User

AGENCIES_CSV = "name,parent,is_government\n某某区人民政府,,1\n某某区教育局,某某区人民政府,0\n"


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", password="a-long-test-password-1")


def dataset(csv: str) -> tablib.Dataset:
    return tablib.Dataset().load(csv, format="csv")


@pytest.mark.django_db
def test_agency_dry_run_previews_without_writing_then_imports_the_tree():
    result = AgencyResource().import_data(dataset(AGENCIES_CSV), dry_run=True)
    assert not result.has_errors() and result.totals["new"] == 2
    assert Agency.objects.count() == 0
    AgencyResource().import_data(dataset(AGENCIES_CSV), dry_run=False)
    bureau = Agency.objects.get(name="某某区教育局")
    assert bureau.parent.name == "某某区人民政府"
    assert bureau in bureau.parent.subtree()


@pytest.mark.django_db
def test_user_import_sets_agency_role_and_no_usable_password(agencies):
    csv = "username,first_name,agency,role,is_active\nzhang,张三,卫东区金融工作局,clerk,1\n"
    result = UserResource().import_data(dataset(csv), dry_run=False)
    assert not result.has_errors()
    user = User.objects.get(username="zhang")
    assert user.agency == agencies["weidong"] and user.role == Role.CLERK
    assert not user.has_usable_password() and not user.is_superuser


@pytest.mark.django_db
def test_user_import_with_bad_role_is_refused(agencies):
    csv = "username,first_name,agency,role,is_active\nli,李四,卫东区金融工作局,boss,1\n"
    result = UserResource().import_data(dataset(csv), dry_run=False, raise_errors=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not User.objects.filter(username="li").exists()


@pytest.mark.django_db
def test_user_sheet_cannot_grant_superuser(agencies):
    csv = "username,agency,role,is_superuser,is_staff\nevil,卫东区金融工作局,clerk,1,1\n"
    UserResource().import_data(dataset(csv), dry_run=False)
    evil = User.objects.get(username="evil")
    assert not evil.is_superuser and not evil.is_staff


@pytest.mark.django_db
def test_exported_names_that_look_like_formulas_are_quoted(agencies):
    Agency.objects.create(name='=HYPERLINK("http://x")')
    exported = AgencyResource().export().csv
    assert "'=HYPERLINK" in exported
    assert "\n=HYPERLINK" not in exported


@pytest.mark.django_db
def test_admin_import_shows_a_preview_and_writes_nothing_before_confirm(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:reports_agency_import")
    assert client.get(url).status_code == 200
    upload = io.BytesIO(AGENCIES_CSV.encode("utf-8"))
    upload.name = "agencies.csv"
    response = client.post(url, {"import_file": upload, "format": "0", "resource": "0"})
    assert response.status_code == 200
    page = response.getvalue().decode()
    assert "某某区教育局" in page and "confirm" in page.lower()
    assert Agency.objects.count() == 0


@pytest.mark.django_db
def test_admin_export_is_for_staff_only(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:reports_agency_export"))
    assert response.status_code == 302 and "login" in response["Location"]
