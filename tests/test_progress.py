"""Progress: each editing page 未填 / 填写中 / 有错误 / 已完成, and the 完成度 on the report
page, in the section navigation and in the list."""

import pytest
from django.urls import reverse

from reports.models import GeneralSection, Report
from reports.rules import progress_of
from reports.spec import schema
from tests.helpers import fill_zeros, load_seed, make_report, ready_report

pytestmark = pytest.mark.django_db

# The seven editing pages of the template (SPEC §2): 基本信息 and the six sections.
PAGES = ["info", *(s.key for s in schema.SECTIONS)]


def states(report: Report) -> dict[str, str]:
    _findings, progress = Report.objects.get(pk=report.pk).assess()
    return {p.key: p.label for p in progress.pages}


def test_a_new_draft_is_untouched_but_for_the_prefilled_closing_block(agencies):
    report = make_report(agencies["office"], 2024)
    assert states(report) == {
        # 落款机关 comes prefilled with the agency's name; opening and date do not.
        "info": "填写中",
        "general": "未填",
        "active_disclosure": "未填",
        "applications": "未填",
        "review_litigation": "未填",
        "problems": "未填",
        "other_matters": "未填",
    }
    assert Report.objects.get(pk=report.pk).completion == 0


def test_a_table_with_some_cells_typed_is_being_filled_in(agencies):
    report = make_report(agencies["office"], 2024, {"ad_penalty": 9})
    _findings, progress = report.assess()
    page = progress.of("active_disclosure")
    assert (page.label, page.filled, page.parts) == ("填写中", 1, 10)  # 表二 has 10 cells


def test_an_unbalanced_table_is_in_error_even_when_every_cell_is_filled(agencies):
    report = fill_zeros(make_report(agencies["office"], 2024))
    assert states(report)["applications"] == "已完成"
    report.app_new_received_natural_person = 3  # R1: 3 + 0 ≠ 0 + 0
    report.save()
    assert states(report)["applications"] == "有错误"
    assert states(report)["active_disclosure"] == "已完成"


def test_a_complete_seed_report_is_done_everywhere(agencies):
    report = ready_report()
    assert set(states(report).values()) == {"已完成"}
    assert Report.objects.get(pk=report.pk).completion == 100


def test_completion_is_the_share_of_pages_done(agencies):
    """Three tables filled (zeros balance) out of seven pages: 3/7 = 43 %."""
    report = fill_zeros(make_report(agencies["office"], 2024))
    _findings, progress = report.assess()
    assert progress.done == 3
    assert progress.percent == 43
    assert Report.objects.get(pk=report.pk).completion == 43

    report.problems = "存在的问题是公开内容不够丰富。"
    report.save()
    assert Report.objects.get(pk=report.pk).completion == 57  # 4/7


def test_one_empty_subsection_leaves_section_one_being_filled_in(agencies):
    report = make_report(agencies["office"], 2024)
    first = GeneralSection.objects.filter(report=report).first()
    first.body = "本年度工作正常开展。"
    first.save()
    assert states(report)["general"] == "填写中"
    GeneralSection.objects.filter(report=report).update(body="正文")
    assert states(report)["general"] == "已完成"


def test_progress_reads_a_published_seed_document_as_it_stands():
    """Seed 001 as published has figures but no narrative in its JSON: the tables are
    done, the narrative pages untouched."""
    from reports.io import codec
    from reports.rules import check

    doc = codec.parse(load_seed(1)).doc
    progress = progress_of(doc, check(doc))
    by_key = {p.key: p.label for p in progress.pages}
    assert by_key["active_disclosure"] == by_key["applications"] == "已完成"
    assert by_key["review_litigation"] == "已完成"
    assert by_key["problems"] == "未填"


def test_the_report_page_and_the_editor_show_each_pages_state(client, alice, agencies):
    report = make_report(agencies["office"], 2024, {"ad_penalty": 9})
    client.force_login(alice)
    for url in (
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:section", args=[report.pk, "active_disclosure"]),
    ):
        body = client.get(url).getvalue().decode()
        assert 'data-page-state="active_disclosure" title="1/10">填写中</span>' in body
        assert 'data-page-state="applications" title="0/144">未填</span>' in body
        assert '完成度 <strong id="completion-percent">0%</strong>' in body
        assert "7个部分中已完成0个" in body


def test_the_list_shows_each_reports_completion(client, alice, agencies):
    fill_zeros(make_report(agencies["office"], 2024))
    client.force_login(alice)
    body = client.get(reverse("reports:list")).getvalue().decode()
    assert '<th scope="col">完成度</th>' in body
    assert '<td class="report-completion" data-label="完成度">43%</td>' in body


def test_an_autosave_answers_with_the_new_progress(client, alice, agencies):
    report = make_report(agencies["office"], 2024)
    client.force_login(alice)
    response = client.post(
        reverse("reports:autosave", args=[report.pk, "problems"]),
        {"problems": "存在的问题是公开内容不够丰富。", "version": report.version},
    )
    progress = response.json()["progress"]
    assert progress["pages"]["problems"] == {"state": "done", "label": "已完成"}
    assert progress["percent"] == 14  # 1/7
    assert set(progress["pages"]) == set(PAGES)
