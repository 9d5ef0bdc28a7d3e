"""Stored per-report counts of error and warning findings, read by the oversight home."""

from reports.io.imports import import_document
from reports.models import GeneralSection, Report
from tests.helpers import complete_doc, fill_zeros, import_seed, load_seed, make_report


def stored(report: Report) -> tuple[int, int]:
    fresh = Report.objects.get(pk=report.pk)
    return fresh.error_count, fresh.warning_count


def test_a_new_draft_stores_the_count_of_its_findings(agencies):
    report = make_report(agencies["office"])
    # Errors: blank cells in each of the three tables (R5 ×3), 一 and 五 empty (R6 ×2);
    # warning: 六 says nothing of the 信息处理费 (R9).
    assert stored(report) == (5, 1)
    # Every stored cell is blank: 10 in table 二, 24 × 6 in table 三, 3 × 4 in table 四.
    assert Report.objects.get(pk=report.pk).blank_count == 10 + 24 * 6 + 3 * 4


def test_saving_figures_and_sections_refreshes_the_counts(agencies):
    report = fill_zeros(make_report(agencies["office"]))
    errors_before, _ = stored(report)
    report.problems = "存在的问题是公开内容不够丰富，下一步将加以改进。"
    report.other_matters = "本年度未收取信息处理费。"
    report.save()
    section = GeneralSection.objects.filter(report=report).first()
    section.body = "本年度工作正常开展。"
    section.save()
    assert stored(report) == (0, 0)
    assert errors_before > 0
    report.app_new_received_natural_person = 3
    report.save()
    assert stored(report)[0] == 2  # R1 in the columns 自然人 and 总计
    assert {f.rule for f in report.findings()} == {"R1"}


def test_an_imported_report_counts_its_imported_sections(agencies):
    report = import_seed(1, complete=True)
    assert stored(report) == (0, 0)


def test_changing_last_years_report_refreshes_this_years_counts(agencies):
    last = import_seed(1, complete=True)
    raw = complete_doc(load_seed(1))
    raw["year"], raw["title"] = 2024, ""
    for col, value in raw["applications"]["carried_forward"].items():
        raw["applications"]["carried_over"][col] = value
    this, _ = import_document(raw)
    _, warnings_before = stored(this)
    last.app_carried_forward_natural_person += 5
    last.save()
    assert stored(this)[1] == warnings_before + 2  # R7 in 自然人 and 总计


def test_refresh_finding_counts_repairs_counts_written_around_the_models(agencies):
    from django.core.management import call_command

    report = make_report(agencies["office"], year=2023)
    expected = stored(report)
    Report.objects.update(error_count=None, warning_count=None, blank_count=None)
    call_command("refresh_finding_counts", "--year", "2023")
    assert stored(report) == expected
    assert Report.objects.get(pk=report.pk).blank_count == 166


def test_a_status_change_alone_does_not_recount(agencies, monkeypatch):
    from reports.models import counts as finding_counts

    report = make_report(agencies["office"], year=2023)
    report.status = "submitted"

    def fail(report):
        raise AssertionError("recounted on a status change")

    monkeypatch.setattr(finding_counts, "refresh_with_next_year", fail)
    report.save(update_fields=["status"])
