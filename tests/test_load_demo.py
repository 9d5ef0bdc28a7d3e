"""load_demo: the seed reports with their figures from JSON and narrative from text."""

import json

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
