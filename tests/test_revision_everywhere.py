"""A published report corrected twice, seen through every figure that sums, counts or
lists reports: the roll-up, the oversight table, the charts, the agency page, both
export jobs, the stored PDFs and the stored finding counts. Only the revised cells
may change anything; an agency stays one agency and one report."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import ExportJob, JobKind, Report, Status
from tests import pdf_checks
from tests.helpers import complete_doc, load_seed
from tests.seed_text import import_printable_seed

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ROLLUP = reverse("oversight:rollup")
HOME = reverse("oversight:home")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


def stored_pdf(report: Report) -> bytes:
    with report.published_pdf.open("rb") as f:
        return f.read()


def assert_counts_match_the_rules() -> None:
    """What check_report finds for every report equals what is stored with it."""
    for report in Report.objects.select_related("agency"):
        findings = report.findings()
        assert (report.error_count, report.warning_count) == (
            sum(f.severity == "error" for f in findings),
            sum(f.severity == "warning" for f in findings),
        ), f"stale counts on {report} revision {report.revision}"


def rollup_figure(client, row: str, col: str = "total") -> int:
    data = json.loads(
        client.get(reverse("oversight:rollup_export", args=["json"]), {"year": 2023}).getvalue()
    )
    return data["applications"][row][col]


def save_section(client, report: Report, section: str, data: dict) -> None:
    version = Report.objects.get(pk=report.pk).version
    url = reverse("reports:section", args=[report.pk, section])
    response = client.post(url, {**data, "version": version})
    assert response.status_code == 302, response.context and response.context["form"].errors


def submit(client, report: Report) -> None:
    """Submit through the page, explaining every warning as a clerk must."""
    from reports.models.workflow import warning_key

    report = Report.objects.get(pk=report.pk)
    explanations = {"explain-" + warning_key(f): "已核实。" for f in report.submit_check().warnings}
    response = client.post(reverse("reports:submit", args=[report.pk]), explanations)
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED


def region_row_count(client) -> tuple[int, float]:
    summary = client.get(HOME, {"year": 2023}).context["summary"]
    return summary.total, summary.complete_share


@pytest.fixture
def region(client, agencies, alice, bob, carol, django_capture_on_commit_callbacks):
    """宁波市镇海区人民政府办公室 (seed 001, 52 new applications) published through the
    workflow, and 宁波市镇海区金融发展服务中心 (seed 000, none) loaded as published."""
    office = import_printable_seed(1)
    client.force_login(alice)
    submit(client, office)
    client.force_login(bob)
    client.post(reverse("reports:approve", args=[office.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:publish", args=[office.pk]))
    from reports.io.imports import import_document

    finance, _ = import_document(complete_doc(load_seed(0)))
    # Through the model, as a load would: the region's stored totals follow saves.
    finance.status, finance.published_on = Status.PUBLISHED, date(2024, 1, 10)
    finance.save(update_fields=["status", "published_on"])
    return {"office": Report.objects.get(pk=office.pk), "finance": finance}


def test_a_report_corrected_twice_changes_only_its_revised_cells_everywhere(
    client, region, alice, bob, carol, django_capture_on_commit_callbacks, tmp_path
):
    office = region["office"]
    assert office.status == Status.PUBLISHED and office.published_pdf
    original_pdf = stored_pdf(office)
    client.force_login(carol)
    assert rollup_figure(client, "new_received") == 52
    assert region_row_count(client) == (2, 1.0)

    # The clerk corrects it: 自然人 received 37, not 36, and one more was granted.
    client.force_login(alice)
    response = client.post(reverse("reports:revise", args=[office.pk]))
    revision = Report.objects.get(agency=office.agency, year=2023, revision=1)
    assert response.status_code == 302 and response["Location"] == revision.get_absolute_url()
    assert not revision.published_pdf  # the old PDF is not the revision's
    draft_pdf = client.get(reverse("reports:pdf", args=[revision.pk])).getvalue()
    assert draft_pdf != original_pdf
    data = {c: getattr(revision, c) for c in ("applications_note",)}
    for c in Report._meta.get_fields():
        if c.name.startswith("app_"):
            data[c.name] = "" if getattr(revision, c.name) is None else getattr(revision, c.name)
    data["app_new_received_natural_person"] = 37
    data["app_granted_natural_person"] = 13
    save_section(client, revision, "applications", data)
    save_section(client, revision, "problems", {"problems": "更正后的第五部分：公开内容仍需丰富。"})
    assert_counts_match_the_rules()

    # While the correction is a draft, the region still has two agencies, both
    # published, and the roll-up holds the revised cells and nothing twice.
    client.force_login(carol)
    assert region_row_count(client) == (2, 1.0)
    assert rollup_figure(client, "new_received") == 53
    assert rollup_figure(client, "granted") == 21
    rows = {r.name: r.status for r in client.get(HOME, {"year": 2023}).context["page"]}
    assert rows["宁波市镇海区人民政府办公室"] == "revising"

    client.force_login(alice)
    # 53 received contradicts the narrative's 52 (R8): the clerk explains it.
    assert "R8" in {f.rule for f in Report.objects.get(pk=revision.pk).submit_check().warnings}
    submit(client, revision)
    client.force_login(bob)
    client.post(reverse("reports:approve", args=[revision.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:publish", args=[revision.pk]))
    revision.refresh_from_db()
    assert revision.status == Status.PUBLISHED and revision.published_pdf
    corrected = pdf_checks.squeeze(pdf_checks.pdf_text(stored_pdf(revision)))
    assert "更正后的第五部分" in corrected
    assert "更正后的第五部分" not in pdf_checks.squeeze(pdf_checks.pdf_text(original_pdf))
    # The public page of the agency's report now downloads the corrected PDF.
    public = client.get(reverse("public:pdf", args=[revision.pk])).getvalue()
    assert public == stored_pdf(revision)

    # Oversight sends it back once more: a second revision, returned to the clerk.
    client.force_login(carol)
    client.post(reverse("reports:correct", args=[revision.pk]), {"comment": "请核对第六部分。"})
    second = Report.objects.get(agency=office.agency, year=2023, revision=2)
    assert second.status == Status.RETURNED and second.is_current
    assert Report.objects.filter(agency=office.agency, year=2023, is_current=True).count() == 1
    assert_counts_match_the_rules()
    assert second.error_count == 0

    assert region_row_count(client) == (2, 1.0)
    assert rollup_figure(client, "new_received") == 53
    rollup_page = client.get(ROLLUP, {"year": 2023})
    assert rollup_page.context["rollup"].reports == 2
    home = client.get(HOME, {"year": 2023})
    assert [r.name for r in home.context["page"]].count("宁波市镇海区人民政府办公室") == 1
    bars = {b.label: b.value for b in home.context["region_chart"].bars}
    assert bars == {"宁波市镇海区人民政府办公室": 53}
    # The agency page lists 2023 once, and its chart counts 51 handled (50 + 1 granted).
    agency_page = client.get(reverse("oversight:agency", args=[office.agency_id]))
    assert [r.year for r in agency_page.context["reports"]] == [2023]
    assert [c.total for c in agency_page.context["chart"].columns] == [51]
    # The roll-up command reads the same current revisions.
    output = tmp_path / "rollup.json"
    call_command("rollup", "--year", "2023", "--format", "json", "--output", str(output))
    command = json.loads(output.read_text(encoding="utf-8"))
    assert command["applications"]["new_received"]["total"] == 53
    assert command["rollup"]["reports"] == 2

    # Both export jobs: one row per agency, one published PDF per agency (the corrected
    # one, which the returned second revision has not replaced yet).
    for kind in (JobKind.BULK_XLSX, JobKind.PDF_ZIP):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("reports:exports"),
                {"kind": kind, "year": 2023, "agency": carol.agency_id},
            )
    xlsx_job, zip_job = ExportJob.objects.order_by("pk")
    download = client.get(reverse("reports:export_download", args=[xlsx_job.pk])).getvalue()
    workbook = load_workbook(io.BytesIO(download))
    header, *rows = list(workbook["汇总"].iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["宁波市镇海区人民政府办公室", "宁波市镇海区金融发展服务中心"]
    # Columns are headed by labels; the 字段说明 sheet names each column's key.
    legend = {key: label for _letter, label, key in list(workbook["字段说明"].values)[1:]}
    received = header.index(legend["applications.new_received.natural_person"])
    assert rows[0][received] == 37
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("reports:export_download", args=[zip_job.pk])).getvalue())
    )
    assert sorted(archive.namelist()) == sorted(
        [load_seed(1)["title"] + ".pdf", load_seed(0)["title"] + ".pdf"]
    )
    assert archive.read(load_seed(1)["title"] + ".pdf") == stored_pdf(revision)


def test_stored_counts_follow_every_save_return_and_revision(client, region, alice, bob, carol):
    """A mixed sequence of the ways a report changes, with next year's report comparing
    with it (R7, R11, R12): after each step the stored counts equal the rules."""
    office = region["office"]
    from reports.io.newyear import start_report

    next_year = start_report(office.agency, 2024, created_by=alice)
    assert_counts_match_the_rules()
    revision = office.start_revision(alice)
    assert_counts_match_the_rules()
    revision.app_carried_forward_natural_person = 5  # next year's 上年结转 now disagrees
    revision.app_granted_natural_person = 9
    revision.save()
    assert_counts_match_the_rules()
    section = revision.general.first()
    section.body = ""
    section.save()
    assert_counts_match_the_rules()
    section.delete()
    assert_counts_match_the_rules()
    next_year.app_carried_over_natural_person = 5
    next_year.save()
    assert_counts_match_the_rules()
    # Back to figures that add up, submitted, returned, published, corrected again.
    revision.refresh_from_db()
    revision.app_carried_forward_natural_person = 2
    revision.app_granted_natural_person = 12
    revision.save()
    revision.general.create(position=0, heading="（一）主动公开情况", body="更正稿正文。")
    revision.submit(alice)
    revision.return_to_clerk(bob, "请再核对。")
    assert_counts_match_the_rules()
    revision.submit(alice)
    revision.approve(bob)
    revision.publish(bob)
    revision.send_for_correction(carol, "再改一次。")
    assert_counts_match_the_rules()
