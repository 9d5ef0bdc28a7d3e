"""Last year's report, which every page of the section editor compares with: the cells
of one that can no longer change are read once per process (``models.comparison``),
while what a report is compared with stays last year's report as it stands."""

import pytest

from reports.models import Report
from tests.helpers import load_seed, make_report, published_report

pytestmark = pytest.mark.django_db

CARRIED_FORWARD = load_seed(1)["applications"]["carried_forward"]["natural_person"]


def this_year(agency, carried_over: int) -> Report:
    """2024's draft, whose 上年结转 of 自然人 is ``carried_over``."""
    return make_report(agency, year=2024, figures={"app_carried_over_natural_person": carried_over})


def r7_before(report: Report) -> list[str]:
    """What R7 says last year's 结转下年度 of 自然人 was."""
    cell = ("applications", "carried_over", "natural_person")
    return [
        f.message.rsplit("为", 1)[1]
        for f in report.findings()
        if f.rule == "R7" and cell in f.cells
    ]


def test_last_years_published_cells_cost_no_query_once_read(
    alice, bob, agencies, django_assert_num_queries
):
    published_report(alice, bob)
    report = this_year(agencies["office"], CARRIED_FORWARD + 4)
    report.findings()
    # Last year's row and the siblings' (none), then the sub-sections of both years:
    # last year's three hundred cells are not read again.
    with django_assert_num_queries(2):
        assert r7_before(report) == [f"{CARRIED_FORWARD}。"]


def test_last_years_draft_is_read_again_even_when_changed_behind_the_models_back(agencies):
    figures = {"app_carried_forward_natural_person": 9}
    last = make_report(agencies["office"], year=2023, figures=figures)
    report = this_year(agencies["office"], 5)
    assert r7_before(report) == ["9。"]
    Report.objects.filter(pk=last.pk).update(app_carried_forward_natural_person=5)
    assert r7_before(report) == []


def test_last_years_published_report_saved_again_is_read_again(alice, bob, agencies):
    last = published_report(alice, bob)
    report = this_year(agencies["office"], CARRIED_FORWARD + 4)
    assert r7_before(report) == [f"{CARRIED_FORWARD}。"]
    last.app_carried_forward_natural_person = CARRIED_FORWARD + 4
    last.save()
    assert r7_before(report) == []


def test_a_correction_of_last_years_report_is_what_this_year_is_compared_with(alice, bob, agencies):
    last = published_report(alice, bob)
    report = this_year(agencies["office"], CARRIED_FORWARD + 4)
    assert r7_before(report) == [f"{CARRIED_FORWARD}。"]
    revision = last.start_revision(alice)
    revision.app_carried_forward_natural_person = CARRIED_FORWARD + 4
    revision.save()
    assert r7_before(report) == []
    revision.app_carried_forward_natural_person = CARRIED_FORWARD + 1
    revision.save()
    assert r7_before(report) == [f"{CARRIED_FORWARD + 1}。"]
