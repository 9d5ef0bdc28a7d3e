"""load_demo: the seed reports with their figures from JSON and narrative from text."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from reports.io import codec
from reports.models import Report, Status
from tests.helpers import seed_paths


@pytest.mark.django_db
def test_demo_seed_reports_are_published_with_figures_and_narrative():
    call_command("load_demo")
    call_command("load_demo")  # safe to run again
    for path in seed_paths():
        seed = json.loads(path.read_text(encoding="utf-8"))
        report = Report.objects.get(agency__name=seed["agency"], year=seed["year"])
        assert report.status == Status.PUBLISHED
        exported = codec.to_json(report.document())
        for key in ("active_disclosure", "applications", "review_litigation"):
            assert exported[key] == seed[key]
        assert report.general.exclude(body="").count() >= 5
        assert report.problems and report.other_matters
    office = Report.objects.get(agency__name="宁波市镇海区人民政府办公室", year=2023)
    assert office.general.filter(
        heading="（二）依申请公开情况", body__contains="受理依申请公开52件"
    ).exists()


@pytest.mark.django_db
def test_the_demo_follows_the_calendar_with_last_years_reports_published_on_time():
    """On 1 December 2026 the draft is for 2025; 2024 has no seed, so each seed agency
    gets a generated 2024 report, published by its deadline and following its 2023
    report (SPEC §1: 31 January, 31 March for a government)."""
    call_command("load_demo", "--today=2026-12-01")
    call_command("load_demo", "--today=2026-12-01")  # still safe to run again
    draft = Report.objects.get(year=2025)
    assert draft.agency.name == "宁波市镇海区人民政府办公室"
    assert draft.status == Status.DRAFT
    generated = Report.objects.filter(year=2024).select_related("agency")
    assert generated.count() == 5
    for report in generated:
        assert report.status == Status.PUBLISHED
        deadline = date(2025, 3 if report.agency.is_government else 1, 31)
        assert report.published_on <= deadline
        assert report.days_late == 0
        assert report.error_count == 0, report.findings()
        seed = Report.objects.get(agency=report.agency, year=2023)
        for col, value in seed.figures()["applications"]["carried_forward"].items():
            assert report.figures()["applications"]["carried_over"][col] == (value or 0)
    office_2024 = generated.get(agency=draft.agency)
    # The draft starts from the generated 2024 report, not from the 2023 seed.
    for col, value in office_2024.figures()["applications"]["carried_forward"].items():
        assert draft.figures()["applications"]["carried_over"][col] == value
