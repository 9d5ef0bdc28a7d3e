"""generate_demo_data: a tree of agencies and rule-consistent reports over several years."""

import pytest
from django.core.management import CommandError, call_command

from reports.models import Agency, Report, Status, User, triage


# The same promises hold whether the rules run on every report or once per prototype
# (the fast path of large regions), so every test runs on both.
@pytest.fixture(params=["--no-prototypes", "--prototypes"])
def generated(db, request):
    call_command(
        "generate_demo_data",
        "--agencies",
        "120",
        "--years",
        "3",
        "--last-year",
        "2024",
        request.param,
    )
    return Agency.objects.get(name="示范市人民政府")


def test_it_builds_a_tree_of_governments_and_departments(generated):
    agencies = generated.subtree()
    assert agencies.count() == 120
    districts = agencies.filter(parent=generated, is_government=True)
    assert districts.exists()
    assert agencies.filter(parent__in=districts).count() > districts.count()
    for agency in agencies.select_related("parent"):
        expected = (agency.parent.path if agency.parent else "/") + f"{agency.pk}/"
        assert agency.path == expected
    assert User.objects.filter(username=f"demo{generated.pk}-oversight", role="oversight").exists()


def test_earlier_years_are_all_published_and_the_last_year_is_in_progress(generated):
    for year in (2022, 2023):
        reports = Report.objects.filter(year=year)
        assert reports.count() == 120
        assert set(reports.values_list("status", flat=True)) == {Status.PUBLISHED}
    last = set(Report.objects.filter(year=2024).values_list("status", flat=True))
    assert {Status.PUBLISHED, Status.DRAFT, Status.SUBMITTED} <= last
    assert Report.objects.filter(year=2024).count() < 120  # some not started


def test_figures_are_rule_consistent_and_stored_counts_match_the_rules(generated):
    seen: set[str] = set()
    for report in Report.objects.select_related("agency"):
        findings = report.findings()
        ids = {f.rule for f in findings}
        seen |= ids
        # By construction: balanced, carried over from last year, in force follows.
        assert not ids & {"R1", "R2", "R3", "R4", "R6", "R7", "R11"}, (report, ids)
        if "R5" in ids:
            assert report.status in (Status.DRAFT, Status.RETURNED)
        errors = sum(f.severity == "error" for f in findings)
        warnings = sum(f.severity == "warning" for f in findings)
        assert (report.error_count, report.warning_count) == (errors, warnings)
        stored = report.stored_findings.values_list("fingerprint", "rule", "message")
        expected = zip(triage.fingerprints(report.pk, findings), findings, strict=True)
        assert sorted(stored) == sorted((p, f.rule, f.message) for p, f in expected)
    # Some reports are deliberately imperfect.
    assert {"R8", "R9", "R13"} <= seen


def test_some_reports_are_published_late(generated):
    late = [
        r
        for r in Report.objects.filter(status=Status.PUBLISHED).select_related("agency")
        if r.published_on > r.deadline
    ]
    assert late


def test_it_refuses_to_overwrite_without_replace_and_replaces_with_it(generated):
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_demo_data", "--agencies", "30", "--years", "1")
    call_command("generate_demo_data", "--agencies", "30", "--years", "1", "--replace")
    root = Agency.objects.get(name="示范市人民政府")
    assert root.subtree().count() == 30
    assert Agency.objects.count() == 30
    assert Report.objects.filter(year__lt=2024).count() == 0
