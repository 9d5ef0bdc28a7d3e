"""批量导入: an oversight office loads its departments' published reports for a year as a
background job; names are matched to agencies beneath it, never made into new ones."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Agency, FileStatus, ImportFile, ImportJob, JobStatus, Report, Status
from tests import variants as v
from tests.helpers import load_seed

pytestmark = pytest.mark.django_db
URL = reverse("reports:import_batch")


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Jobs run as they are enqueued (after the request's commit)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def office_file(fmt: str = "docx", **changes) -> tuple[bytes, str]:
    """镇海区人民政府办公室's 2023 report (seed 001), as published."""
    variant = v.Variant("office", v._base(load_seed(1)), **changes)
    return v.render(variant, fmt)


def zipped(files: list[tuple[bytes, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for data, name in files:
            archive.writestr(name, data)
        archive.writestr("__MACOSX/._x.docx", b"junk")
    return buffer.getvalue()


def upload(client, files: list[tuple[bytes, str]], year: int = 2023, capture=None):
    uploads = [SimpleUploadedFile(name, data) for data, name in files]
    if capture is None:
        return client.post(URL, {"year": year, "uploads": uploads})
    with capture(execute=True):
        return client.post(URL, {"year": year, "uploads": uploads})


def test_oversight_imports_a_zip_of_department_reports_as_a_job(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    office = office_file("docx")
    finance_title = "宁波市镇海区金融发展服务中心2023年政府信息公开工作年度报告"
    seed = {**v._base(load_seed(1)), "agency": "宁波市镇海区金融发展服务中心"}
    finance = v.Variant("finance", {**seed, "title": finance_title})
    image = (b"\x89PNG\r\n" + bytes(40), "图.png")
    archive = zipped([office, v.render(finance, "pdf"), image])
    capture = django_capture_on_commit_callbacks
    response = upload(client, [(archive, "各部门年报.zip")], capture=capture)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:import_job", args=[job.pk]
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == job.total == 3
    files = {f.name: f for f in job.files.all()}
    assert set(files) == {office[1], f"{finance_title}.pdf", "图.png"}
    assert files[office[1]].report.agency == agencies["office"]
    assert files[office[1]].status == FileStatus.IMPORTED
    assert files[f"{finance_title}.pdf"].report.agency == agencies["finance"]
    # Both files carry seed 001's narrative, so the second is flagged as copied (R16).
    assert files[f"{finance_title}.pdf"].status == FileStatus.TO_CHECK
    assert files["图.png"].status == FileStatus.REFUSED and "图片" in files["图.png"].message
    assert Report.objects.filter(status=Status.DRAFT).count() == 2
    page = client.get(reverse("reports:import_job", args=[job.pk])).getvalue().decode()
    assert "已导入 1 份；已导入、有待核对项 1 份；未导入 1 份" in page and "图.png" in page


def test_a_name_matching_no_agency_waits_for_a_choice_and_no_agency_is_made(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    typo = "宁波市镇海区人民政府办公厅"
    data, name = office_file("html", title=f"{typo}2023年政府信息公开工作年度报告")
    upload(client, [(data, name)], capture=django_capture_on_commit_callbacks)
    file = ImportFile.objects.get()
    assert file.status == FileStatus.NEEDS_AGENCY and typo in file.message
    assert not Agency.objects.filter(name=typo).exists() and Report.objects.count() == 0
    page = client.get(reverse("reports:import_job", args=[file.job_id])).getvalue().decode()
    assert "待确认机关" in page and "导入到该机关" in page
    assign = reverse("reports:import_job_assign", args=[file.job_id, file.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(assign, {"agency": agencies["office"].pk})
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.status == FileStatus.IMPORTED and file.report.agency == agencies["office"]
    assert file.content is None


def test_an_agency_outside_the_office_cannot_be_chosen(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    data, name = office_file("tabs", title="某某局2023年政府信息公开工作年度报告")
    upload(client, [(data, name)], capture=django_capture_on_commit_callbacks)
    file = ImportFile.objects.get()
    assign = reverse("reports:import_job_assign", args=[file.job_id, file.pk])
    client.post(assign, {"agency": agencies["weidong"].pk})
    file.refresh_from_db()
    assert file.status == FileStatus.NEEDS_AGENCY and Report.objects.count() == 0


def _waiting_file(client, carol, capture) -> ImportFile:
    client.force_login(carol)
    data, name = office_file(
        "html", title="宁波市镇海区人民政府办公厅2023年政府信息公开工作年度报告"
    )
    upload(client, [(data, name)], capture=capture)
    return ImportFile.objects.get()


def test_a_waiting_file_goes_to_the_agency_whose_full_name_is_typed(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    file = _waiting_file(client, carol, django_capture_on_commit_callbacks)
    assign = reverse("reports:import_job_assign", args=[file.job_id, file.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(assign, {"agency_name": " 宁波市镇海区人民政府办公室 "})
    file.refresh_from_db()
    assert file.status == FileStatus.IMPORTED and file.report.agency == agencies["office"]


def test_a_typed_name_outside_the_office_is_refused_with_the_name_said(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    file = _waiting_file(client, carol, django_capture_on_commit_callbacks)
    assign = reverse("reports:import_job_assign", args=[file.job_id, file.pk])
    response = client.post(assign, {"agency_name": "卫东区金融工作局"}, follow=True)
    assert (
        "宁波市镇海区人民政府下级没有名为“卫东区金融工作局”的机关" in response.getvalue().decode()
    )
    file.refresh_from_db()
    assert file.status == FileStatus.NEEDS_AGENCY and Report.objects.count() == 0


def test_the_job_page_offers_the_suggested_agencies_not_every_agency_beneath(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    for n in range(30):
        Agency.objects.create(name=f"宁波市镇海区第{n}局", parent=agencies["zhenhai"])
    file = _waiting_file(client, carol, django_capture_on_commit_callbacks)
    page = client.get(reverse("reports:import_job", args=[file.job_id])).getvalue().decode()
    assert "导入到该机关" in page and 'name="agency_name"' in page
    assert "宁波市镇海区第7局" not in page


def test_a_report_of_another_year_is_refused_in_the_batch(
    client, carol, agencies, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    upload(client, [office_file("txt")], year=2024, capture=django_capture_on_commit_callbacks)
    file = ImportFile.objects.get()
    assert file.status == FileStatus.REFUSED and "2023年度" in file.message
    assert Report.objects.count() == 0


def test_the_batch_gives_the_same_answer_as_the_clerks_page(
    client, carol, alice, agencies, django_capture_on_commit_callbacks
):
    data, name = office_file("pdf", drop_rows={"rules"})
    client.force_login(carol)
    upload(client, [(data, name)], capture=django_capture_on_commit_callbacks)
    file = ImportFile.objects.get()
    assert file.status == FileStatus.TO_CHECK and file.to_check_count == 3
    batch_figures = Report.objects.get().figures()
    Report.objects.all().delete()
    client.force_login(alice)
    client.post(reverse("reports:import_published"), {"file": SimpleUploadedFile(name, data)})
    assert Report.objects.get().figures() == batch_figures


def test_only_oversight_offices_start_a_batch_and_see_their_own_jobs(client, alice, carol):
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert upload(client, [office_file("txt")]).status_code == 403
    assert ImportJob.objects.count() == 0
    client.force_login(carol)
    assert client.get(URL).status_code == 200
    assert client.put(URL).status_code == 405


def test_a_broken_zip_is_refused_on_the_form(client, carol):
    client.force_login(carol)
    response = upload(client, [(b"PK\x03\x04broken", "年报.zip")])
    assert response.status_code == 400 and "已损坏" in response.getvalue().decode()
    assert ImportJob.objects.count() == 0


def test_the_job_status_is_polled_as_json(client, carol, agencies):
    job = ImportJob.objects.create(year=2023, agency=carol.agency, requested_by=carol, total=4)
    ImportFile.objects.create(job=job, name="a.txt", status=FileStatus.REFUSED)
    job.progress = 1
    job.save()
    client.force_login(carol)
    body = client.get(reverse("reports:import_job_status", args=[job.pk])).json()
    assert body["percent"] == 25 and body["counts"]["refused"] == 1


def test_names_that_windows_zipped_in_gbk_are_read_as_written():
    from reports.oversight.batch import _zip_name

    # As Windows' zip tools write them: GBK bytes without the UTF-8 flag, which
    # Python's zipfile hands over decoded as cp437.
    info = zipfile.ZipInfo("年报.docx".encode("gbk").decode("cp437"))
    info.flag_bits = 0
    assert _zip_name(info) == "年报.docx"
