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


@pytest.mark.django_db
def test_an_agency_name_with_a_control_character_is_refused_in_the_admin_naming_the_field(
    client, admin_user
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:reports_agency_add"), {"name": "某某区\x07教育局", "is_government": ""}
    )
    assert response.status_code == 200
    assert "机关名称：第1行含有不可见的控制字符（U+0007）" in response.getvalue().decode()
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_an_agency_name_typed_over_two_lines_is_stored_as_one(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:reports_agency_add"), {"name": " 某某区\r\n教育局 ", "is_government": ""}
    )
    assert response.status_code == 302
    assert list(Agency.objects.values_list("name", flat=True)) == ["某某区 教育局"]


@pytest.mark.django_db
def test_a_spreadsheet_row_with_markup_in_an_agency_name_is_refused_naming_the_field():
    csv = "name,parent,is_government\n某某区人民政府,,1\n<b>某某区教育局</b>,某某区人民政府,0\n"
    result = AgencyResource().import_data(dataset(csv), dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert "机关名称：" in str(invalid.error_dict["name"])
    assert not Agency.objects.filter(name__contains="教育局").exists()


@pytest.mark.django_db
def test_a_users_full_name_with_a_control_character_is_refused_on_import(agencies):
    csv = "username,first_name,agency,role,is_active\nwang,王\x1b五,卫东区金融工作局,clerk,1\n"
    result = UserResource().import_data(dataset(csv), dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    assert not User.objects.filter(username="wang").exists()
