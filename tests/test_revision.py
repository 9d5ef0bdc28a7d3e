"""A published report is corrected only through a new revision."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from reports.io import codec
from reports.models import Report, Status, WorkflowError
from tests.helpers import published_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_agencies")]


def test_a_published_report_cannot_be_edited(client, alice, bob):
    report = published_report(alice, bob)
    client.force_login(alice)
    url = reverse("reports:section", args=[report.pk, "problems"])
    response = client.post(url, {"problems": "改写。", "version": report.version})
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).problems != "改写。"
    assert "由本机关填报人发起修订" in client.get(url).getvalue().decode()


def test_clerk_starts_a_revision_and_the_published_version_is_untouched(alice, bob):
    report = published_report(alice, bob)
    published_doc = codec.to_json(Report.objects.get(pk=report.pk).document())
    revision = report.start_revision(alice)
    assert (revision.revision, revision.status) == (1, Status.DRAFT)
    assert revision.can_edit(alice)
    assert codec.to_json(revision.document()) == published_doc
    revision.problems = "更正后的第五部分：公开内容不够丰富，下一步将加以改进。"
    revision.save()
    original = Report.objects.get(pk=report.pk)
    assert original.status == Status.PUBLISHED
    assert codec.to_json(original.document()) == published_doc


def test_only_one_revision_at_a_time(alice, bob):
    report = published_report(alice, bob)
    report.start_revision(alice)
    with pytest.raises(WorkflowError, match="已有一份修订稿"):
        report.start_revision(alice)
    assert Report.objects.filter(agency=report.agency, year=report.year).count() == 2


def test_a_revision_goes_through_the_same_states_and_the_public_page_says_revised(
    client, alice, bob
):
    report = published_report(alice, bob)
    revision = report.start_revision(alice)
    revision.problems = "更正后的第五部分：公开内容不够丰富，下一步将加以改进。"
    revision.save()

    # Until the revision is published the public sees the original, unrevised.
    page = client.get(reverse("public:detail", args=[report.pk])).getvalue().decode()
    assert "本报告已于" not in page
    assert client.get(reverse("public:detail", args=[revision.pk])).status_code == 404

    revision.submit(alice)
    revision.approve(bob)
    revision.publish(bob)
    today = timezone.localdate()
    note = f"本报告已于{today.year}年{today.month}月{today.day}日修订"

    page = client.get(reverse("public:detail", args=[revision.pk])).getvalue().decode()
    assert note in page and "更正后的第五部分：公开内容不够丰富，下一步将加以改进。" in page
    listing = client.get(reverse("public:list")).getvalue().decode()
    assert reverse("public:detail", args=[revision.pk]) in listing
    assert reverse("public:detail", args=[report.pk]) not in listing

    # The earlier version stays reachable, marked as such.
    old = client.get(reverse("public:detail", args=[report.pk])).getvalue().decode()
    assert note in old and "修订前的版本" in old
    assert "更正后的第五部分：公开内容不够丰富，下一步将加以改进。" not in old


def test_oversight_sends_a_published_report_back_for_correction(client, alice, bob, carol):
    report = published_report(alice, bob)
    client.force_login(carol)
    response = client.post(
        reverse("reports:correct", args=[report.pk]), {"comment": "表三第二列有误，请更正。"}
    )
    revision = Report.objects.get(agency=report.agency, year=report.year, revision=1)
    assert response.status_code == 302
    assert revision.status == Status.RETURNED
    assert revision.return_comment() == "表三第二列有误，请更正。"
    assert Report.objects.get(pk=report.pk).status == Status.PUBLISHED
    client.force_login(alice)
    assert "表三第二列有误，请更正。" in client.get(reverse("home")).getvalue().decode()


def test_correction_without_a_comment_is_refused(alice, bob, carol):
    report = published_report(alice, bob)
    with pytest.raises(WorkflowError, match="必须填写意见"):
        report.send_for_correction(carol, "")
    assert Report.objects.count() == 1


def test_an_unpublished_report_cannot_be_revised(alice):
    from tests.helpers import ready_report

    report = ready_report()
    with pytest.raises(WorkflowError, match="只有已发布的报告可以修订"):
        report.start_revision(alice)


def test_import_refuses_to_replace_a_published_report_but_replaces_its_draft_revision(
    tmp_path, alice, bob, capsys
):
    report = published_report(alice, bob)
    doc = codec.to_json(report.document())
    doc["sections"]["problems"] = "导入的更正。"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_report", str(path))
    assert Report.objects.get(pk=report.pk).problems != "导入的更正。"

    revision = report.start_revision(alice)
    call_command("import_report", str(path))
    assert Report.objects.get(pk=revision.pk).problems == "导入的更正。"
    assert Report.objects.get(pk=report.pk).problems != "导入的更正。"
    assert Report.objects.count() == 2
