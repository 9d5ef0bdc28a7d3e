"""Two people editing the same section never silently overwrite each other."""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from reports.models import Report, Role, User, history
from tests.conftest import PASSWORD
from tests.helpers import make_report


@pytest.fixture
def dave(agencies) -> User:
    """A second clerk of alice's agency."""
    return User.objects.create_user(
        "dave", password=PASSWORD, role=Role.CLERK, agency=agencies["office"]
    )


def section_url(report: Report, section: str) -> str:
    return reverse("reports:section", args=[report.pk, section])


def version_of(report: Report) -> int:
    return Report.objects.get(pk=report.pk).version


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_keeps_the_input_and_shows_the_change(
    client, alice, dave, agencies
):
    report = make_report(agencies["office"], problems="原来的问题。")
    opened_at = version_of(report)  # both open the page now

    client.force_login(dave)
    response = client.post(
        section_url(report, "problems"), {"problems": "戴夫写的问题。", "version": opened_at}
    )
    assert response.status_code == 302

    client.force_login(alice)
    response = client.post(
        section_url(report, "problems"), {"problems": "爱丽丝写的问题。", "version": opened_at}
    )
    assert response.status_code == 409
    page = response.getvalue().decode()
    assert "未保存" in page and "dave" in page
    assert "原来的问题。" in page and "戴夫写的问题。" in page  # what changed meanwhile
    assert "爱丽丝写的问题。" in page  # her input is still in the form
    assert Report.objects.get(pk=report.pk).problems == "戴夫写的问题。"

    # Having seen the change, saving again (with the version the page now carries) wins.
    current = response.context["version"]
    assert current == version_of(report)
    response = client.post(
        section_url(report, "problems"), {"problems": "爱丽丝写的问题。", "version": current}
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).problems == "爱丽丝写的问题。"


@pytest.mark.django_db
def test_a_stale_table_save_names_the_cell_that_changed(client, alice, dave, agencies):
    report = make_report(agencies["office"], 2024, {"app_granted_commercial": 8})
    opened_at = version_of(report)
    client.force_login(dave)
    client.post(
        section_url(report, "applications"),
        {"app_granted_commercial": "9", "version": opened_at},
    )
    client.force_login(alice)
    response = client.post(
        section_url(report, "applications"),
        {"app_granted_commercial": "10", "version": opened_at},
    )
    assert response.status_code == 409
    [change] = response.context["conflict"].changes
    assert (change.old, change.new) == ("8", "9")
    assert "予以公开" in change.label and "商业企业" in change.label
    assert Report.objects.get(pk=report.pk).app_granted_commercial == 9


@pytest.mark.django_db
def test_saving_another_section_meanwhile_is_no_conflict(client, alice, dave, agencies):
    report = make_report(agencies["office"])
    opened_at = version_of(report)
    client.force_login(dave)
    client.post(
        section_url(report, "other_matters"), {"other_matters": "无。", "version": opened_at}
    )
    client.force_login(alice)
    response = client.post(
        section_url(report, "problems"), {"problems": "问题。", "version": opened_at}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.problems, report.other_matters) == ("问题。", "无。")


def general_post(report: Report, version: int, first_body: str) -> dict:
    sections = list(report.general.all())
    data = {
        "version": version,
        "general-TOTAL_FORMS": len(sections),
        "general-INITIAL_FORMS": len(sections),
        "general-MIN_NUM_FORMS": 0,
        "general-MAX_NUM_FORMS": 1000,
    }
    for i, s in enumerate(sections):
        data[f"general-{i}-id"] = s.pk
        data[f"general-{i}-heading"] = s.heading
        data[f"general-{i}-body"] = first_body if i == 0 else s.body
        data[f"general-{i}-ORDER"] = i + 1
    return data


@pytest.mark.django_db
def test_a_stale_save_of_the_general_sub_sections_is_refused(client, alice, dave, agencies):
    report = make_report(agencies["office"])
    opened_at = version_of(report)
    client.force_login(dave)
    assert (
        client.post(section_url(report, "general"), general_post(report, opened_at, "戴夫。"))
    ).status_code == 302
    client.force_login(alice)
    response = client.post(section_url(report, "general"), general_post(report, opened_at, "爱。"))
    assert response.status_code == 409
    [change] = response.context["conflict"].changes
    assert change.label == "第1小节" and change.new.endswith("戴夫。")
    assert report.general.first().body == "戴夫。"


@pytest.mark.django_db
def test_a_form_without_a_version_is_treated_as_stale(client, alice, agencies):
    report = make_report(agencies["office"], problems="原来的问题。")
    client.force_login(alice)
    response = client.post(section_url(report, "problems"), {"problems": "新的。"})
    assert response.status_code == 409
    assert Report.objects.get(pk=report.pk).problems == "原来的问题。"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_section_on_postgresql(alice, dave, agencies, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    from django.test import Client

    report = make_report(agencies["office"], problems="原来的问题。")
    opened_at = version_of(report)

    # Widen the window between reading the row and writing it, so that without the row
    # lock both requests would read the same version and the second would overwrite.
    checked = history.conflicts

    def slow_conflicts(*args, **kwargs):
        found = checked(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(history, "conflicts", slow_conflicts)
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def save(user: User, text: str) -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(
                section_url(report, "problems"), {"problems": text, "version": opened_at}
            )
            results[user.username] = response.status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(alice, "爱丽丝写的。")),
        threading.Thread(target=save, args=(dave, "戴夫写的。")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results.values()) == [302, 409]
    winner = next(name for name, status in results.items() if status == 302)
    expected = {"alice": "爱丽丝写的。", "dave": "戴夫写的。"}[winner]
    report.refresh_from_db()
    assert report.problems == expected
    assert report.version == opened_at + 1
