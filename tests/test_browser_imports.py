"""In a real browser: a clerk imports the agency's published report (Word, PDF) and sees
what was read and which cells to check; an oversight office uploads a ZIP of its
departments' reports and sees the result of every file."""

from __future__ import annotations

import io
import zipfile

import pytest

from reports.models import CellState, FileStatus, ImportFile, ImportJob, JobStatus, Report, Status
from tests import variants as v
from tests.conftest import login, screenshot
from tests.helpers import load_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = load_seed(1)  # 宁波市镇海区人民政府办公室 2023, alice's agency
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def immediate_tasks(settings):
    """The batch runs as it is enqueued, in the live server's request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def written(tmp_path, data: bytes, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_clerk_imports_a_word_file_and_sees_the_cells_to_check(page, alice, tmp_path):
    # An agency without rule-making power leaves out the 规章 row: three blank cells.
    variant = v.Variant("no_rules_row", v._base(SEED), drop_rows={"rules"})
    data, name = v.render(variant, "docx")
    login(page, alice)
    page.set_viewport_size(DESKTOP)
    page.goto("/reports/import/")
    page.set_input_files("#id_file", written(tmp_path, data, name))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-done")
    assert "已导入为" in page.inner_text("#import-done")
    to_check = page.inner_text("#import-to-check")
    assert to_check.count("原文空白") == 3 and "规章" in to_check
    screenshot(page, "import-docx-result")

    report = Report.objects.get(agency=alice.agency, year=2023)
    assert report.status == Status.DRAFT
    assert report.app_new_received_natural_person == 36  # seed 001's JSON
    assert report.ad_rules_issued is None
    cells = report.import_logs.get().cells_by_field()
    assert cells["ad_rules_issued"].state == CellState.BLANK

    page.click("#import-done a")
    page.wait_for_selector("#import-log")
    assert "原文空白 3 个" in page.inner_text("#import-counts")
    screenshot(page, "import-docx-report-page")
    page.set_viewport_size(PHONE)
    screenshot(page, "import-docx-report-page-390")


def test_clerk_imports_a_pdf_and_sees_the_note_and_the_doubtful_total(page, alice, tmp_path):
    noted = v._base(SEED)
    texts = {
        ("active_disclosure", "normative_documents", "issued"): "9（其中修订3件）",
        # Published as 53 although 36 + 16 = 52: kept visible, in doubt, never fixed silently.
        ("applications", "new_received", "total"): "53",
    }
    data, name = v.render(v.Variant("notes_in_cells", noted, texts=texts), "pdf")
    login(page, alice)
    page.set_viewport_size(PHONE)
    page.goto("/reports/import/")
    page.set_input_files("#id_file", written(tmp_path, data, name))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-done")
    assert "原文为“9（其中修订3件）”，读作9" in page.inner_text("#import-notes")
    to_check = page.inner_text("#import-to-check")
    assert "存疑" in to_check and "原文“53”" in to_check
    assert "R2" in page.inner_text("#import-findings")
    screenshot(page, "import-pdf-result-390")

    report = Report.objects.get(agency=alice.agency, year=2023)
    assert report.ad_normative_documents_issued == 9
    assert report.figures()["applications"]["new_received"]["total"] == 52  # 36 + 16
    log = report.import_logs.get()
    cell = log.cells.get(field="ad_normative_documents_issued")
    assert cell.published == "9（其中修订3件）" and cell.note == "其中修订3件"
    total = log.cells.get(field="app_new_received_total")
    assert total.state == CellState.DOUBTFUL and total.published == "53"


def test_a_refused_file_shows_why_and_stores_nothing(page, alice, tmp_path):
    data, name = v.render(v.format_2019(SEED), "docx")
    login(page, alice)
    page.goto("/reports/import/")
    page.set_input_files("#id_file", written(tmp_path, data, name))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-refused")
    assert "国办公开办函〔2019〕60号" in page.inner_text("#import-refused")
    assert Report.objects.count() == 0


def test_oversight_uploads_a_zip_and_sees_the_result_of_every_file(
    page, carol, agencies, tmp_path, immediate_tasks
):
    office = v.render(v.Variant("office", v._base(SEED)), "docx")
    finance_seed = {**v._base(SEED), "agency": "宁波市镇海区金融发展服务中心"}
    finance_seed["title"] = "宁波市镇海区金融发展服务中心2023年政府信息公开工作年度报告"
    finance = v.render(v.Variant("finance", finance_seed, drop_rows={"rules"}), "pdf")
    old = v.render(v.format_2019({**v._base(SEED), "agency": "宁波市镇海区人民政府"}), "txt")
    unknown_seed = {**v._base(SEED), "agency": "宁波市镇海区不存在局"}
    unknown_seed["title"] = "宁波市镇海区不存在局2023年政府信息公开工作年度报告"
    unknown = v.render(v.Variant("unknown", unknown_seed), "html")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for data, name in (office, finance, (old[0], "2019格式.txt"), unknown):
            archive.writestr(name, data)

    login(page, carol)
    page.set_viewport_size(DESKTOP)
    page.goto("/reports/import/batch/")
    page.fill("#id_year", "2023")
    page.set_input_files("#id_uploads", written(tmp_path, buffer.getvalue(), "各部门年报.zip"))
    page.click("#batch-form button[type=submit]")
    page.wait_for_selector("#import-files")
    page.wait_for_selector("#import-status:has-text('已完成')")
    rows = page.locator("#import-files tbody tr")
    assert rows.count() == 4
    table = page.inner_text("#import-files")
    assert "国办公开办函〔2019〕60号" in table and "宁波市镇海区不存在局" in table
    summary = page.inner_text("#import-summary")
    assert "已导入 1 份" in summary and "有待核对项 1 份" in summary
    assert "未导入 1 份" in summary and "待确认机关 1 份" in summary
    screenshot(page, "batch-import-result")
    page.set_viewport_size(PHONE)
    # On a phone the page is no wider than the screen: the menu folds, the table stacks.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.is_visible("#nav-import-batch")
    screenshot(page, "batch-import-result-390")
    page.click("button.navbar-toggler")
    page.wait_for_selector("#nav-import-batch", state="visible")
    screenshot(page, "batch-import-menu-390")

    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE and job.progress == job.total == 4
    files = {f.name: f for f in ImportFile.objects.all()}
    assert files[office[1]].status == FileStatus.IMPORTED
    assert files[office[1]].report.agency == agencies["office"]
    assert files[finance[1]].status == FileStatus.TO_CHECK
    assert files["2019格式.txt"].status == FileStatus.REFUSED
    assert files[unknown[1]].status == FileStatus.NEEDS_AGENCY
    assert Report.objects.count() == 2
    assert not ImportFile.objects.filter(agency__name="宁波市镇海区不存在局").exists()
