"""check_report and load_demo."""

import json

import pytest
from django.core.management import call_command

from reports.models import Agency, Report, Status, User
from tests.helpers import import_seed, load_seed

pytestmark = pytest.mark.django_db


def test_check_report_exits_1_and_lists_errors(capsys, agencies):
    report = import_seed(1)  # seed JSON has no narrative: R6 errors
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_report", str(report.pk))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "R6\t错误\t“一、总体情况”没有内容" in out


def test_check_report_exits_0_for_a_clean_report(capsys):
    report = import_seed(1, complete=True)
    call_command("check_report", str(report.pk))
    assert "检查通过" in capsys.readouterr().out


def test_check_report_json_names_rule_severity_and_cells(capsys):
    report = import_seed(2, complete=True)
    with pytest.raises(SystemExit):
        call_command("check_report", str(report.pk), "--json")
    payload = json.loads(capsys.readouterr().out)
    assert payload["report"] == report.pk
    (finding,) = payload["findings"]
    assert finding["rule"] == "R5" and finding["severity"] == "error"
    assert {
        "table": "review_litigation",
        "row": "review",
        "col": "upheld",
        "label": "表四 行政复议 · 结果维持",
    } in finding["cells"]


def test_check_report_of_unknown_id_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有编号为 999 的报告"):
        call_command("check_report", "999")


def test_load_demo_is_idempotent_and_builds_the_agency_tree(capsys):
    call_command("load_demo", "--today=2025-01-05")
    call_command("load_demo", "--today=2025-01-05")
    assert Report.objects.filter(year=2023, status=Status.PUBLISHED).count() == 5
    # In January 2025 the report being written is 2024's: the seeds' year is last year.
    assert not Report.objects.filter(year=2024).exclude(status=Status.DRAFT).exists()
    draft = Report.objects.get(year=2024)
    assert draft.agency.name == "宁波市镇海区人民政府办公室"
    assert draft.status == Status.DRAFT
    last_year = Report.objects.get(agency=draft.agency, year=2023)
    # The 2024 draft starts from 2023: its headings (not text) and the carry-over.
    assert list(draft.general.values_list("heading", flat=True)) == [
        h for h in last_year.general.values_list("heading", flat=True) if h
    ]
    assert not any(draft.general.values_list("body", flat=True))
    assert draft.app_carried_over_natural_person == last_year.app_carried_forward_natural_person
    office = Agency.objects.get(name="宁波市镇海区人民政府办公室")
    assert office.parent.name == "宁波市镇海区人民政府"
    assert office in Agency.objects.get(name="宁波市人民政府").subtree()
    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "alice": "clerk",
        "bob": "reviewer",
        "carol": "oversight",
        "mallory": "clerk",
        "admin": "",
    }
    assert User.objects.get(username="mallory").agency.name == "卫东区金融工作局"
    assert User.objects.get(username="alice").check_password("demo-2024-goireport")
    seed = load_seed(1)
    report = Report.objects.get(agency=office, year=2023)
    assert report.figures()["applications"] == seed["applications"]


def test_moving_an_agency_moves_its_subtree(agencies):
    agencies["zhenhai"].parent = agencies["weidong"]
    agencies["zhenhai"].save()
    office = Agency.objects.get(pk=agencies["office"].pk)
    assert office.path.startswith(agencies["weidong"].path)
    assert office in agencies["weidong"].subtree()
