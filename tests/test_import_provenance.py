"""After an import the report page and the section editor show which cells came from the
source and which were blank or in doubt; a clerk confirms them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.io.errors import ImportRefused
from reports.io.imports import import_bytes
from reports.models import Agency, CellState, ImportedCell, Report
from tests import variants as v
from tests.helpers import load_seed

pytestmark = pytest.mark.django_db


def imported_without_rules_row(alice):
    variant = v.Variant("no_rules", v._base(load_seed(1)), drop_rows={"rules"})
    variant.texts[("active_disclosure", "normative_documents", "issued")] = "9（其中修订3件）"
    data, name = v.render(variant, "docx")
    return import_bytes(data, name, alice, agency=alice.agency)


def test_the_report_page_lists_the_cells_to_check(client, alice):
    result = imported_without_rules_row(alice)
    client.force_login(alice)
    page = client.get(result.report.get_absolute_url()).getvalue().decode()
    assert 'id="import-log"' in page and "原文空白 <strong>3</strong> 个" in page
    assert "表二 第二十条第（一）项 规章 · 本年制发件数</a>：原文空白，原文没有这一行" in page
    assert 'id="confirm-import-form"' in page


def test_the_section_editor_marks_blank_cells_and_shows_the_note(client, alice):
    result = imported_without_rules_row(alice)
    client.force_login(alice)
    url = reverse("reports:section", args=[result.report.pk, "active_disclosure"])
    page = client.get(url).getvalue().decode()
    assert page.count('data-source="blank"') == 3
    assert "原文“9（其中修订3件）”，其中修订3件" in page


def test_a_clerk_confirms_the_cells_of_one_table(client, alice):
    result = imported_without_rules_row(alice)
    client.force_login(alice)
    url = reverse("reports:confirm_import", args=[result.report.pk])
    response = client.post(url, {"table": "active_disclosure"})
    assert response["Location"] == reverse(
        "reports:section", args=[result.report.pk, "active_disclosure"]
    )
    states = ImportedCell.objects.filter(field__startswith="ad_rules_")
    assert {c.state for c in states} == {CellState.CONFIRMED}
    assert {c.confirmed_by for c in states} == {alice}


def test_changing_an_imported_cell_counts_as_checking_it(client, alice):
    result = imported_without_rules_row(alice)
    report = result.report
    client.force_login(alice)
    url = reverse("reports:section", args=[report.pk, "active_disclosure"])
    data = {c: getattr(report, c) or 0 for c in ("ad_rules_issued", "ad_rules_repealed")}
    data.update(
        {
            "version": report.version,
            "ad_rules_in_force": "",
            "active_disclosure_note": "",
            "ad_normative_documents_issued": 9,
            "ad_normative_documents_repealed": 20,
            "ad_normative_documents_in_force": 116,
            "ad_licensing": 0,
            "ad_penalty": 0,
            "ad_enforcement": 0,
            "ad_fees_10k_yuan": "0",
        }
    )
    assert client.post(url, data).status_code == 302
    cells = result.log.cells_by_field()
    assert cells["ad_rules_issued"].state == CellState.CONFIRMED
    assert cells["ad_rules_in_force"].state == CellState.BLANK


def test_others_cannot_confirm_and_a_locked_report_stays_locked(client, alice, bob, mallory):
    result = imported_without_rules_row(alice)
    url = reverse("reports:confirm_import", args=[result.report.pk])
    client.force_login(bob)
    assert client.post(url).status_code == 403
    client.force_login(mallory)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 405
    Report.objects.filter(pk=result.report.pk).update(status="submitted")
    assert client.post(url).status_code == 403
    assert not ImportedCell.objects.filter(state=CellState.CONFIRMED).exists()


def test_the_clerks_page_shows_the_cells_to_check_after_an_import(client, alice):
    variant = v.Variant("no_rules", v._base(load_seed(1)), drop_rows={"rules"})
    data, name = v.render(variant, "pdf")
    client.force_login(alice)
    response = client.post(
        reverse("reports:import_published"), {"file": SimpleUploadedFile(name, data)}
    )
    page = response.getvalue().decode()
    assert response.status_code == 200 and 'id="import-to-check"' in page
    assert "有<strong>3</strong>个单元格原文空白或存疑" in page


# --- agencies are matched, never made ------------------------------------------------------


def test_a_title_without_the_city_is_matched_to_the_one_agency_it_names(agencies):
    title = "镇海区人民政府办公室2023年政府信息公开工作年度报告"
    data, name = v.render(v.Variant("short", v._base(load_seed(1)), title=title), "txt")
    result = import_bytes(data, name)
    assert result.report.agency == agencies["office"]
    assert "已对应到“宁波市镇海区人民政府办公室”" in result.agency_note


def test_an_unknown_agency_is_refused_and_not_created(agencies):
    before = Agency.objects.count()
    title = "宁波市镇海区人民政府办公厅2023年政府信息公开工作年度报告"
    data, name = v.render(v.Variant("typo", v._base(load_seed(1)), title=title), "html")
    with pytest.raises(ImportRefused, match="没有与“宁波市镇海区人民政府办公厅”对应的机关"):
        import_bytes(data, name)
    assert Agency.objects.count() == before and Report.objects.count() == 0


def test_a_name_matching_several_agencies_is_refused_naming_them(agencies):
    Agency.objects.create(name="宁波市北仑区住房和城乡建设局")
    Agency.objects.create(name="宁波市镇海区住房和城乡建设局")
    title = "住房和城乡建设局2023年政府信息公开工作年度报告"
    data, name = v.render(v.Variant("two", v._base(load_seed(1)), title=title), "txt")
    with pytest.raises(ImportRefused, match="可能是以下机关之一：宁波市北仑区住房和城乡建设局、"):
        import_bytes(data, name)
