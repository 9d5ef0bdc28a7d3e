"""Every view of the editor for the allowed user, the outsider and the wrong method."""

import json

import pytest
from django.urls import reverse

from reports.models import GeneralSection, Report, Status
from tests.helpers import fill_zeros, general_post, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(agencies):
    return make_report(agencies["office"], 2024)


def section_url(report, section):
    return reverse("reports:section", args=[report.pk, section])


def post_section(client, report, section, data, **kwargs):
    """POST a section form as the browser does, with the version it was loaded at."""
    report.refresh_from_db()
    return client.post(section_url(report, section), {**data, "version": report.version}, **kwargs)


def test_anonymous_visitor_is_sent_to_login(client, report):
    for url in [
        reverse("reports:list"),
        reverse("reports:detail", args=[report.pk]),
        section_url(report, "applications"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_home_is_the_signed_in_users_inbox(client, alice):
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 200
    assert "reports/home.html" in [t.name for t in response.templates]
    assert "returned" in response.context and "drafts" in response.context


# --- list and create -----------------------------------------------------------------


def test_clerk_sees_own_agency_reports_only(client, alice, agencies, report):
    other = make_report(agencies["weidong"], 2024)
    client.force_login(alice)
    response = client.get(reverse("reports:list"))
    assert response.status_code == 200
    assert report.title in response.getvalue().decode()
    assert other.title not in response.getvalue().decode()


def test_oversight_sees_reports_of_agencies_beneath(client, carol, agencies, report):
    finance = make_report(agencies["finance"], 2024)
    other = make_report(agencies["weidong"], 2024)
    client.force_login(carol)
    body = client.get(reverse("reports:list")).getvalue().decode()
    assert report.title in body and finance.title in body
    assert other.title not in body


def test_report_list_refuses_post(client, alice):
    client.force_login(alice)
    assert client.post(reverse("reports:list")).status_code == 405


def test_clerk_creates_the_report_of_a_year_with_standard_subsections(client, alice):
    client.force_login(alice)
    response = client.post(reverse("reports:create"), {"year": "2025"})
    report = Report.objects.get(agency=alice.agency, year=2025)
    assert response.status_code == 302
    assert response.url == section_url(report, "info")
    assert report.status == Status.DRAFT
    assert report.title == "宁波市镇海区人民政府办公室2025年政府信息公开工作年度报告"
    assert report.created_by == alice
    assert GeneralSection.objects.filter(report=report).count() == 5


def test_a_second_report_for_the_same_year_is_refused(client, alice, report):
    client.force_login(alice)
    response = client.post(reverse("reports:create"), {"year": "2024"})
    assert response.status_code == 400
    assert "2024年的年度报告已经存在" in response.getvalue().decode()
    assert Report.objects.filter(agency=alice.agency, year=2024).count() == 1


def test_reviewer_cannot_create_a_report(client, bob):
    client.force_login(bob)
    assert client.post(reverse("reports:create"), {"year": "2025"}).status_code == 403
    assert not Report.objects.filter(year=2025).exists()


def test_create_refuses_get(client, alice):
    client.force_login(alice)
    assert client.get(reverse("reports:create")).status_code == 405
    assert not Report.objects.exists()


# --- detail, preview, export --------------------------------------------------------


@pytest.mark.parametrize("name", ["reports:detail", "reports:preview", "reports:export_json"])
def test_outsider_gets_404_on_read_views(client, mallory, report, name):
    client.force_login(mallory)
    assert client.get(reverse(name, args=[report.pk])).status_code == 404


@pytest.mark.parametrize("name", ["reports:detail", "reports:preview", "reports:export_json"])
def test_read_views_refuse_post(client, alice, report, name):
    client.force_login(alice)
    assert client.post(reverse(name, args=[report.pk])).status_code == 405


def test_detail_shows_the_check_panel_with_links_to_cells(client, alice, report):
    fill_zeros(report)
    report.app_new_received_natural_person = 5
    report.save()
    client.force_login(alice)
    response = client.get(reverse("reports:detail", args=[report.pk]))
    body = response.getvalue().decode()
    rules_shown = [f.rule for f in response.context["findings"]]
    # Errors first: R1 per unbalanced column, R6 per empty section; then R9 (section 六
    # says nothing about the 信息处理费).
    assert rules_shown == ["R1", "R1", "R6", "R6", "R9"]
    assert "勾稽关系不平衡" in body
    assert section_url(report, "applications") + "#cell-app_new_received_natural_person" in body
    assert section_url(report, "general") + "#section-general" in body


def test_detail_keeps_a_constant_number_of_queries(
    client, alice, report, django_assert_max_num_queries
):
    client.force_login(alice)
    # 14 on main since the findings' triage and the newest-events page; one more, the
    # report's 批注.
    with django_assert_max_num_queries(15):
        client.get(reverse("reports:detail", args=[report.pk]))


def test_reviewer_and_oversight_can_read_but_not_edit(client, bob, carol, report):
    for user in (bob, carol):
        client.force_login(user)
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
        response = client.get(section_url(report, "applications"))
        assert response.status_code == 200
        assert 'id="save"' not in response.getvalue().decode()
        response = post_section(client, report, "problems", {"problems": "改了"})
        assert response.status_code == 403
    report.refresh_from_db()
    assert report.problems == ""


def test_export_json_downloads_the_interchange_format(client, alice, report):
    report.app_granted_natural_person = 3
    report.save()
    client.force_login(alice)
    response = client.get(reverse("reports:export_json", args=[report.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.getvalue())
    assert data["applications"]["granted"] == {
        "natural_person": 3,
        "commercial": None,
        "research": None,
        "social_welfare": None,
        "legal_service": None,
        "other": None,
        "total": 3,
    }
    assert len(data["applications"]) == 25


def test_preview_renders_the_whole_report_escaped(client, alice, report):
    report.problems = "第一段\n<script>alert(1)</script>"
    Report.objects.filter(pk=report.pk).update(problems=report.problems)
    client.force_login(alice)
    body = client.get(reverse("reports:preview", args=[report.pk])).getvalue().decode()
    assert "五、存在的主要问题及改进情况" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


# --- section pages -----------------------------------------------------------------


def test_outsider_gets_404_on_section_pages(client, mallory, report):
    client.force_login(mallory)
    assert client.get(section_url(report, "applications")).status_code == 404
    assert post_section(client, report, "problems", {"problems": "x"}).status_code == 404
    report.refresh_from_db()
    assert report.problems == ""


def test_unknown_section_is_404(client, alice, report):
    client.force_login(alice)
    assert client.get(section_url(report, "nonsense")).status_code == 404


def test_section_refuses_other_methods(client, alice, report):
    client.force_login(alice)
    assert client.put(section_url(report, "problems")).status_code == 405
    assert client.delete(section_url(report, "problems")).status_code == 405


def applications_post(report, **cells):
    from reports.spec import schema

    data = {"applications_note": ""}
    for c in schema.stored_cells_of("applications"):
        data[c.field] = "0"
    data.update(cells)
    return data


def test_clerk_saves_the_matrix_with_normalised_numbers(client, alice, report):
    client.force_login(alice)
    data = applications_post(
        report,
        app_new_received_natural_person="３６",
        app_new_received_commercial=" 1,016 ",
        app_granted_natural_person="36",
        app_granted_commercial="1016",
    )
    response = post_section(client, report, "applications", data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.app_new_received_natural_person == 36
    assert report.app_new_received_commercial == 1016
    assert report.figures()["applications"]["handled_total"]["total"] == 1052
    findings = report.findings()
    assert not [f for f in findings if f.rule == "R1"]
    assert not [f for f in findings if f.rule == "R5" and f.cells[0][0] == "applications"]


def test_a_draft_is_saved_while_r1_fails_and_the_finding_is_shown(client, alice, report):
    client.force_login(alice)
    data = applications_post(report, app_new_received_natural_person="5")
    response = post_section(client, report, "applications", data, follow=True)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.app_new_received_natural_person == 5
    body = response.getvalue().decode()
    assert "已保存" in body
    assert "“自然人”列勾稽关系不平衡" in body
    assert "has-error" in body


def test_bad_input_is_refused_with_the_cell_named_and_nothing_saved(client, alice, report):
    report.app_granted_commercial = 8
    report.save()
    client.force_login(alice)
    data = applications_post(
        report,
        app_granted_natural_person="-1",
        app_granted_commercial="9",
        app_denied_third_party_other="1.5",
        app_carried_over_research="abc",
        app_carried_forward_other="=A1+1",
        app_new_received_legal_service="99999999999",
    )
    response = post_section(client, report, "applications", data)
    assert response.status_code == 400
    body = response.getvalue().decode()
    assert "表三 （一）予以公开 · 自然人：不能为负数" in body
    assert "表三 4.保护第三方合法权益 · 其他：应为整数，不能有小数" in body
    assert "表三 二、上年结转政府信息公开申请数量 · 科研机构：应为非负整数" in body
    assert "不接受公式" in body
    assert "超过上限 2,147,483,647" in body
    # The clerk's input stays in the form, including the refused values.
    assert 'value="-1"' in body and 'value="9"' in body and 'value="=A1+1"' in body
    report.refresh_from_db()
    assert report.app_granted_commercial == 8
    assert report.app_granted_natural_person is None


def test_fee_is_saved_as_an_exact_decimal(client, alice, report):
    from reports.spec import schema

    client.force_login(alice)
    data = {"active_disclosure_note": ""}
    for c in schema.stored_cells_of("active_disclosure"):
        data[c.field] = "0"
    data["ad_fees_10k_yuan"] = "１２.３４５６７８"
    assert post_section(client, report, "active_disclosure", data).status_code == 302
    report.refresh_from_db()
    assert str(report.ad_fees_10k_yuan) == "12.345678"
    data["ad_fees_10k_yuan"] = "0.1234567"
    response = post_section(client, report, "active_disclosure", data)
    assert "最多保留6位小数" in response.getvalue().decode()


def test_review_table_saves_and_derives_block_totals(client, alice, report):
    from reports.spec import schema

    client.force_login(alice)
    data = {"review_litigation_note": "无"}
    for c in schema.stored_cells_of("review_litigation"):
        data[c.field] = "1"
    assert post_section(client, report, "review_litigation", data).status_code == 302
    report.refresh_from_db()
    assert report.figures()["review_litigation"]["litigation_after_review"]["total"] == 4
    assert report.review_litigation_note == "无"


def test_narrative_with_markup_is_refused(client, alice, report):
    client.force_login(alice)
    response = post_section(client, report, "problems", {"problems": "<b>问题</b>"})
    assert response.status_code == 400
    assert "不接受HTML标记" in response.getvalue().decode()
    report.refresh_from_db()
    assert report.problems == ""


def test_info_page_saves_title_opening_and_signature(client, alice, report):
    client.force_login(alice)
    response = post_section(
        client,
        report,
        "info",
        {
            "title": "新标题",
            "opening": "第一段\r\n第二段",
            "signature_agency": "宁波市镇海区人民政府办公室",
            "signature_date": "2025-01-10",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "新标题"
    assert report.opening == "第一段\n第二段"
    assert str(report.signature_date) == "2025-01-10"


def test_general_subsections_are_added_reordered_and_removed(client, alice, report):
    client.force_login(alice)
    existing = list(report.general.all())
    forms = [
        {"id": str(s.pk), "heading": s.heading, "body": f"正文{i}", "ORDER": str(i + 1)}
        for i, s in enumerate(existing)
    ]
    forms[0]["ORDER"] = "9"  # move the first to the end
    forms[4]["DELETE"] = "on"  # remove the fifth
    forms.append({"heading": "（六）政务新媒体管理情况", "body": "新媒体", "ORDER": "6"})
    response = post_section(client, report, "general", general_post(forms))
    assert response.status_code == 302
    headings = list(report.general.values_list("heading", flat=True))
    assert headings == [
        "（二）依申请公开情况",
        "（三）政府信息管理情况",
        "（四）政府信息公开平台建设情况",
        "（六）政务新媒体管理情况",
        "（一）主动公开情况",
    ]
    assert list(report.general.values_list("position", flat=True)) == [0, 1, 2, 3, 4]


def test_general_subsection_without_heading_is_refused(client, alice, report):
    client.force_login(alice)
    forms = [{"heading": "", "body": "无标题的正文", "ORDER": "1"}]
    data = general_post(forms)
    data["general-INITIAL_FORMS"] = "0"
    response = post_section(client, report, "general", data)
    assert response.status_code == 400
    assert report.general.count() == 5


def test_locked_report_cannot_be_changed_through_the_editor(client, alice, report):
    Report.objects.filter(pk=report.pk).update(status=Status.PUBLISHED)
    client.force_login(alice)
    response = client.get(section_url(report, "problems"))
    assert "不能修改" in response.getvalue().decode()
    assert 'id="save"' not in response.getvalue().decode()
    assert post_section(client, report, "problems", {"problems": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.problems == ""


def test_section_page_keeps_a_constant_number_of_queries(
    client, alice, report, django_assert_max_num_queries
):
    client.force_login(alice)
    # One of them the page's 批注 (their answers only when there are some), one the
    # 消息 menu's unread count.
    with django_assert_max_num_queries(10):
        client.get(section_url(report, "applications"))


def test_a_typed_in_drafts_editing_pages_ask_for_annotations_and_imports_only_with_the_row(
    client, alice, report, django_assert_num_queries
):
    client.force_login(alice)
    for section in ("applications", "problems"):
        # Session, user, the report (whether the page has 批注 and the report an import
        # log among its columns), last year's and the siblings' reports, all their
        # sub-sections of 一, the 消息 count.
        with django_assert_num_queries(6) as queries:
            client.get(section_url(report, section))
        tables = " ".join(q["sql"] for q in queries.captured_queries[3:])
        assert "reports_annotation" not in tables and "reports_importlog" not in tables


def test_report_list_is_paged_by_keyset_in_the_same_queries_on_every_page(
    client, carol, agencies, django_assert_max_num_queries, django_assert_num_queries
):
    from reports.models import Agency
    from reports.views.reports import LIST_PAGE_SIZE

    for i in range(LIST_PAGE_SIZE + 3):
        make_report(Agency.objects.create(name=f"部门{i:02d}", parent=agencies["zhenhai"]))
    client.force_login(carol)
    with django_assert_max_num_queries(6) as first_queries:
        first = client.get(reverse("reports:list"))
    assert len(first.context["reports"]) == LIST_PAGE_SIZE
    cursor = first.context["next_after"]
    assert f"?after={cursor}" in first.content.decode()
    # The second page: one query more, reading the cursor's report; no OFFSET.
    with django_assert_num_queries(len(first_queries) + 1) as second_queries:
        second = client.get(reverse("reports:list"), {"after": cursor})
    assert "OFFSET" not in " ".join(q["sql"] for q in second_queries.captured_queries)
    shown = [r.pk for r in first.context["reports"]] + [r.pk for r in second.context["reports"]]
    expected = Report.objects.visible_to(carol).order_by("-year", "agency__name", "-revision", "pk")
    assert shown == list(expected.values_list("pk", flat=True))
    assert second.context["next_after"] is None and "回到第一页" in second.content.decode()


def test_report_list_after_a_report_the_user_may_not_see_is_empty(client, alice, agencies):
    other = make_report(agencies["weidong"], 2024)
    make_report(agencies["office"], 2024)
    client.force_login(alice)
    response = client.get(reverse("reports:list"), {"after": other.pk})
    assert response.status_code == 200 and list(response.context["reports"]) == []
