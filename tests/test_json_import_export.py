"""import_report / export_report: the JSON interchange format, all or nothing."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.models import Agency, GeneralSection, Report, Status
from tests.helpers import complete_doc, load_seed, seed_paths

# Imports never create an agency: the seeds' agencies exist beforehand.
pytestmark = pytest.mark.usefixtures("seed_agencies")

COMPARED_KEYS = (
    "agency",
    "year",
    "title",
    "active_disclosure",
    "applications",
    "review_litigation",
)


def run_import(path, capsys) -> int:
    call_command("import_report", str(path))
    return int(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(5))
def test_seed_round_trips_through_import_and_export(index, tmp_path, capsys):
    path = seed_paths()[index]
    report_id = run_import(path, capsys)
    out = tmp_path / "out.json"
    call_command("export_report", str(report_id), "--format", "json", "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    seed = json.loads(path.read_text(encoding="utf-8"))
    for key in COMPARED_KEYS:
        assert exported[key] == seed[key], key
    assert len(exported["applications"]) == 25
    assert all(len(row) == 7 for row in exported["applications"].values())


@pytest.mark.django_db
def test_narrative_and_signature_round_trip(tmp_path, capsys):
    data = complete_doc(load_seed(1))
    data["sections"]["general"].append(
        {"heading": "（六）政务新媒体管理情况", "body": "第一段\n第二段"}
    )
    data["sections"]["applications_note"] = "本年度收到申请52件。"
    src = tmp_path / "in.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    report_id = run_import(src, capsys)
    out = tmp_path / "out.json"
    call_command("export_report", str(report_id), "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["sections"]["general"] == data["sections"]["general"]
    assert exported["sections"]["applications_note"] == "本年度收到申请52件。"
    assert exported["sections"]["problems"] == data["sections"]["problems"]
    assert exported["signature"] == {"agency": data["agency"], "date": "2024-01-10"}


@pytest.mark.django_db
def test_import_creates_the_agency_and_prints_the_id_last(tmp_path, capsys):
    report_id = run_import(seed_paths()[4], capsys)
    report = Report.objects.get(pk=report_id)
    assert report.agency.name == "卫东区金融工作局"
    assert report.year == 2023
    assert report.status == Status.DRAFT
    assert (
        report.app_new_received_natural_person
        == load_seed(4)["applications"]["new_received"]["natural_person"]
    )


@pytest.mark.django_db
def test_seed_002_imports_blank_review_cells_as_blank_and_flags_them(capsys):
    call_command("import_report", str(seed_paths()[2]))
    out = capsys.readouterr().out
    report = Report.objects.get(pk=int(out.strip().splitlines()[-1]))
    assert report.rl_review_upheld is None
    assert report.figures()["review_litigation"]["review"]["total"] is None
    assert "[R5 错误] 表四有空白单元格" in out


def write(tmp_path, data) -> str:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_a_total_that_disagrees_is_refused_naming_the_cell_and_nothing_is_written(tmp_path, capsys):
    data = load_seed(1)
    data["applications"]["granted"]["total"] = 21
    data["review_litigation"]["review"]["total"] = 4
    agencies = Agency.objects.count()
    with pytest.raises(CommandError, match="数据库未作任何修改"):
        call_command("import_report", write(tmp_path, data))
    err = capsys.readouterr().err
    assert "表三 （一）予以公开 · 总计为21" in err
    assert "[R4]" in err and "表四 行政复议 · 总计为4" in err
    assert not Report.objects.exists()
    assert Agency.objects.count() == agencies


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "reason"),
    [(-1, "不能为负数"), (1.5, "不能有小数"), ("abc", "不能含有文字"), (2**31, "超过上限")],
)
def test_bad_counts_are_refused_with_row_and_column_named(tmp_path, capsys, value, reason):
    data = load_seed(1)
    data["applications"]["denied_third_party"]["legal_service"] = value
    with pytest.raises(CommandError):
        call_command("import_report", write(tmp_path, data))
    err = capsys.readouterr().err
    assert (
        "表三 4.保护第三方合法权益 · 法律服务机构（applications.denied_third_party.legal_service）"
        in err
    )
    assert reason in err
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_every_bad_cell_is_named_not_just_the_first(tmp_path, capsys):
    data = load_seed(1)
    data["applications"]["granted"]["natural_person"] = -2
    data["active_disclosure"]["normative_documents"]["issued"] = "九"
    data["active_disclosure"]["fees_10k_yuan"] = "-1"
    del data["applications"]["other_other"]
    with pytest.raises(CommandError, match="4处错误"):
        call_command("import_report", write(tmp_path, data))
    err = capsys.readouterr().err
    assert "（一）予以公开 · 自然人" in err
    assert "行政规范性文件 · 本年制发件数" in err
    assert "行政事业性收费" in err
    assert "缺少表三 3.其他整行（applications.other_other）" in err


@pytest.mark.django_db
def test_import_replaces_a_draft_of_the_same_year(tmp_path, capsys):
    first = run_import(seed_paths()[1], capsys)
    data = complete_doc(load_seed(1))
    second = run_import(write(tmp_path, data), capsys)
    assert first == second
    assert Report.objects.count() == 1
    assert GeneralSection.objects.filter(report_id=first).count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED])
def test_import_never_replaces_a_report_past_draft(tmp_path, capsys, status):
    report_id = run_import(seed_paths()[1], capsys)
    Report.objects.filter(pk=report_id).update(status=status, title="原标题")
    data = load_seed(1)
    data["title"] = "新标题"
    with pytest.raises(CommandError):
        call_command("import_report", write(tmp_path, data))
    assert "只有草稿或已退回的报告可以被导入覆盖" in capsys.readouterr().err
    assert Report.objects.get(pk=report_id).title == "原标题"


@pytest.mark.django_db
def test_markup_in_narrative_is_refused(tmp_path, capsys):
    data = complete_doc(load_seed(1))
    data["sections"]["problems"] = '<img src="file:///etc/passwd">'
    with pytest.raises(CommandError):
        call_command("import_report", write(tmp_path, data))
    assert "不接受HTML标记" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的JSON文件"):
        call_command("import_report", str(path))
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_report", str(tmp_path / "missing.json"))
