"""从已发布年报导入: the upload page that turns a published report into a draft."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reports.models import Report, Status

URL = reverse("reports:import_published")


def seed_text(index: int) -> bytes:
    return sorted(Path(settings.SEEDS_DIR).glob("*.txt"))[index].read_bytes()


def post(client, data: bytes, name: str = "report.txt"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(URL, {"file": upload})


@pytest.mark.django_db
def test_clerk_imports_own_published_report_as_draft(client, alice):
    client.force_login(alice)
    response = post(client, seed_text(1))
    assert response.status_code == 200
    report = Report.objects.get(agency=alice.agency, year=2023)
    assert report.status == Status.DRAFT
    assert report.app_new_received_natural_person == 36
    page = response.getvalue().decode()
    assert "已导入为" in page and "R6" in page


@pytest.mark.django_db
def test_clerk_cannot_import_another_agencys_report(client, mallory):
    client.force_login(mallory)
    response = post(client, seed_text(1))
    assert response.status_code == 400
    assert "您只能导入本机关" in response.getvalue().decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_upload_is_refused_with_reason(client, alice):
    client.force_login(alice)
    response = post(client, "随便写的一段话".encode())
    assert response.status_code == 400
    assert "未找到标题" in response.getvalue().decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_import_page_accepts_a_workbook_as_import_report_does(client, alice):
    from reports.io import codec, xlsx
    from tests.helpers import load_seed

    client.force_login(alice)
    response = post(client, xlsx.workbook_bytes(codec.parse(load_seed(1)).doc), "r.xlsx")
    assert response.status_code == 200
    assert Report.objects.get(agency=alice.agency).app_new_received_natural_person == 36


@pytest.mark.django_db
def test_reviewer_and_oversight_cannot_import(client, bob, carol):
    for user in (bob, carol):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert post(client, seed_text(1)).status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_import_page_is_shown_to_clerk_and_wrong_method_refused(client, alice):
    client.force_login(alice)
    assert "从已发布年报导入" in client.get(URL).getvalue().decode()
    assert client.put(URL).status_code == 405
    listing = client.get(reverse("reports:list")).getvalue().decode()
    assert listing.count("import-published-link") == 1


@pytest.mark.django_db
def test_oversized_upload_is_refused_before_reading(client, alice):
    from reports.io.imports import MAX_UPLOAD_BYTES

    client.force_login(alice)
    response = post(client, seed_text(1) + b" " * MAX_UPLOAD_BYTES)
    assert response.status_code == 400
    assert "文件过大" in response.getvalue().decode()
    assert Report.objects.count() == 0
