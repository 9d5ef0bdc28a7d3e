"""The admin is no side door: import and export need the model's rights, a locked
report or an agency with reports is never deleted (one by one or in bulk), and only a
superuser touches a superuser's account."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reports.models import Agency, Report, Status, User
from tests.helpers import make_report, published_report

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


def staff_with(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh object: no cached permissions


def upload(csv: str, name: str = "users.csv") -> io.BytesIO:
    data = io.BytesIO(csv.encode("utf-8"))
    data.name = name
    return data


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


def test_a_staff_member_without_rights_cannot_import_users_and_make_himself_reviewer(
    client, agencies
):
    stan = staff_with("stan")
    client.force_login(stan)
    url = reverse("admin:reports_user_import")
    assert client.get(url).status_code == 403
    csv = f"username,agency,role,is_active\nstan,{agencies['office'].name},reviewer,1\n"
    response = client.post(url, {"import_file": upload(csv), "format": "0", "resource": "0"})
    assert response.status_code == 403
    stan.refresh_from_db()
    assert (stan.agency, stan.role) == (None, "")


def test_a_staff_member_without_rights_cannot_export_the_user_list(client, root):
    client.force_login(staff_with("stan"))
    response = client.post(reverse("admin:reports_user_export"), {"format": "0"})
    assert response.status_code == 403
    assert b"root" not in response.content


def test_the_right_to_change_users_alone_does_not_allow_importing_new_ones(client, agencies):
    client.force_login(staff_with("cathy", "change_user", "view_user"))
    assert client.get(reverse("admin:reports_user_import")).status_code == 403


def test_a_staff_user_manager_cannot_deactivate_the_superuser_by_import(client, root, agencies):
    manager = staff_with("mia", "add_user", "change_user", "view_user")
    client.force_login(manager)
    csv = "username,first_name,last_name,email,agency,role,is_active\nroot,,,,,,0\n"
    response = client.post(
        reverse("admin:reports_user_import"),
        {"import_file": upload(csv), "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    page = response.getvalue().decode()
    assert "只有超级管理员可以修改超级管理员账号“root”" in page
    root.refresh_from_db()
    assert root.is_active


def test_a_staff_user_manager_cannot_deactivate_the_superuser_in_the_form(client, root):
    client.force_login(staff_with("mia", "add_user", "change_user", "view_user"))
    url = reverse("admin:reports_user_change", args=[root.pk])
    response = client.post(url, {"username": "root", "is_active": ""})
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.is_superuser


def test_a_published_report_cannot_be_deleted_in_the_admin(client, root, alice, bob):
    report = published_report(alice, bob)
    client.force_login(root)
    url = reverse("admin:reports_report_delete", args=[report.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Report.objects.filter(pk=report.pk, status=Status.PUBLISHED).exists()


def test_bulk_delete_with_one_locked_report_among_them_deletes_nothing(
    client, root, alice, bob, agencies
):
    published = published_report(alice, bob)
    draft = make_report(agencies["finance"])
    client.force_login(root)
    response = client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "delete_selected", "_selected_action": [published.pk, draft.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert set(Report.objects.values_list("pk", flat=True)) == {published.pk, draft.pk}


def test_a_draft_report_can_still_be_deleted_by_staff(client, root, agencies):
    draft = make_report(agencies["finance"])
    client.force_login(root)
    url = reverse("admin:reports_report_delete", args=[draft.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Report.objects.filter(pk=draft.pk).exists()


def test_an_agency_with_reports_cannot_be_deleted_one_by_one_or_in_bulk(client, root, agencies):
    make_report(agencies["finance"])
    client.force_login(root)
    finance, weidong = agencies["finance"], agencies["weidong"]
    url = reverse("admin:reports_agency_delete", args=[finance.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:reports_agency_changelist"),
        {"action": "delete_selected", "_selected_action": [finance.pk, weidong.pk], "post": "yes"},
    )
    # Refused (403) or shown the protected objects instead of a confirmation (200).
    assert response.status_code in (200, 403)
    assert Agency.objects.filter(pk__in=[finance.pk, weidong.pk]).count() == 2


def test_an_agency_without_reports_or_children_can_be_deleted(client, root, agencies):
    client.force_login(root)
    weidong = agencies["weidong"]
    url = reverse("admin:reports_agency_delete", args=[weidong.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Agency.objects.filter(pk=weidong.pk).exists()


def test_imported_user_rows_are_judged_by_the_models_field_lengths(agencies):
    import tablib

    from reports.io.resources import UserResource

    first_name_max = User._meta.get_field("first_name").max_length
    csv = f"username,first_name,role,is_active\nlong,{'张' * (first_name_max + 1)},clerk,1\n"
    result = UserResource().import_data(
        tablib.Dataset().load(csv, format="csv"), dry_run=False, raise_errors=False
    )
    assert result.has_validation_errors()
    assert not User.objects.filter(username="long").exists()
