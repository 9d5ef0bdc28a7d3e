"""The autosave of the section editor: the same validation and version check as 保存本部分,
every field that passes is stored, the rest is named and stored nowhere."""

import pytest
from django.urls import reverse

from reports.models import GeneralSection, Report, Status
from tests.helpers import general_post, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(agencies):
    return make_report(agencies["office"], 2024)


def autosave_url(report, section):
    return reverse("reports:autosave", args=[report.pk, section])


def active_post(**cells):
    """The page of section 二 as the browser sends it: every input, most left blank."""
    from reports.spec import schema

    data = {"active_disclosure_note": ""}
    for c in schema.stored_cells_of("active_disclosure"):
        data[c.field] = ""
    data.update(cells)
    return data


def autosave(client, report, section, data, version=None):
    report.refresh_from_db()
    payload = {**data, "version": report.version if version is None else version}
    return client.post(autosave_url(report, section), payload)


def test_the_clerk_autosaves_a_typed_count_and_gets_the_new_version(client, alice, report):
    client.force_login(alice)
    before = Report.objects.get(pk=report.pk).version
    response = autosave(client, report, "active_disclosure", active_post(ad_penalty="９"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "saved"
    assert body["errors"] == {}
    report.refresh_from_db()
    assert report.ad_penalty == 9
    assert body["version"] == report.version == before + 1
    assert len(body["saved_at"]) == len("10:32:05")


def test_a_refused_value_is_named_and_the_valid_ones_are_still_saved(client, alice, report):
    report.ad_licensing = 4
    report.save()
    client.force_login(alice)
    data = active_post(ad_penalty="9", ad_licensing="-3", ad_enforcement="1.5")
    response = autosave(client, report, "active_disclosure", data)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "partial"
    assert set(body["errors"]) == {"ad_licensing", "ad_enforcement"}
    assert "行政许可" in body["errors"]["ad_licensing"][0]
    assert "不能为负数" in body["errors"]["ad_licensing"][0]
    assert "行政强制" in body["errors"]["ad_enforcement"][0]
    report.refresh_from_db()
    assert report.ad_penalty == 9
    assert report.ad_licensing == 4  # the stored value, not the refused one
    assert report.ad_enforcement is None
    assert body["saved_fields"] == ["ad_penalty"]


def test_a_full_save_of_the_same_input_still_refuses_everything(client, alice, report):
    """保存本部分 keeps its all-or-nothing rule; only the autosave stores a part."""
    client.force_login(alice)
    report.refresh_from_db()
    data = {**active_post(ad_penalty="9", ad_licensing="-3"), "version": report.version}
    response = client.post(reverse("reports:section", args=[report.pk, "active_disclosure"]), data)
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.ad_penalty is None


def test_an_autosave_on_a_stale_version_saves_nothing_and_names_who_changed_it(
    client, alice, report
):
    client.force_login(alice)
    report.refresh_from_db()
    stale = report.version
    assert autosave(client, report, "active_disclosure", active_post(ad_penalty="9")).json()
    response = autosave(client, report, "active_disclosure", active_post(ad_penalty="7"), stale)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict"
    assert "自动保存已暂停" in body["message"]
    assert any("行政处罚" in label for label, _old, _new in body["changes"])
    report.refresh_from_db()
    assert report.ad_penalty == 9


def test_an_autosave_of_another_section_on_an_older_version_goes_through(client, alice, report):
    client.force_login(alice)
    report.refresh_from_db()
    stale = report.version
    autosave(client, report, "active_disclosure", active_post(ad_penalty="9"))
    response = autosave(client, report, "problems", {"problems": "问题"}, stale)
    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.ad_penalty, report.problems) == (9, "问题")


def test_narrative_with_markup_is_refused_by_the_autosave_and_kept_out(client, alice, report):
    client.force_login(alice)
    response = autosave(client, report, "problems", {"problems": "<script>x</script>"})
    assert response.status_code == 200
    assert list(response.json()["errors"]) == ["problems"]
    report.refresh_from_db()
    assert report.problems == ""


def test_a_subsection_added_on_the_page_is_autosaved_once_and_then_changed(client, alice, report):
    client.force_login(alice)
    existing = list(report.general.all())
    forms = [
        {"id": str(s.pk), "heading": s.heading, "body": "", "ORDER": str(i + 1)}
        for i, s in enumerate(existing)
    ]
    forms.append({"heading": "（六）政务新媒体", "body": "初稿", "ORDER": "6"})
    body = autosave(client, report, "general", general_post(forms, 5)).json()
    assert body["status"] == "saved"
    new_pk = body["section_ids"]["5"]
    assert GeneralSection.objects.get(pk=new_pk).body == "初稿"
    assert {int(i): pk for i, pk in body["section_ids"].items() if int(i) < 5} == {
        i: s.pk for i, s in enumerate(existing)
    }

    # The page now sends the new sub-section with its id, as an existing form.
    forms[5] = {"id": str(new_pk), "heading": "（六）政务新媒体", "body": "定稿", "ORDER": "6"}
    assert autosave(client, report, "general", general_post(forms, 6)).status_code == 200
    assert report.general.count() == 6
    assert GeneralSection.objects.get(pk=new_pk).body == "定稿"


def test_an_invalid_subsection_form_saves_no_subsection(client, alice, report):
    client.force_login(alice)
    forms = [{"heading": "", "body": "无标题的正文", "ORDER": "1"}]
    response = autosave(client, report, "general", general_post(forms, 0))
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert list(errors) == ["general-0-heading"]
    assert "小标题" in errors["general-0-heading"][0]  # the message names the field
    assert report.general.count() == 5


def test_outsider_gets_404_and_nothing_is_saved(client, mallory, report):
    client.force_login(mallory)
    response = autosave(client, report, "active_disclosure", active_post(ad_penalty="9"))
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.ad_penalty is None


def test_reviewer_may_not_autosave_the_clerks_draft(client, bob, report):
    client.force_login(bob)
    response = autosave(client, report, "active_disclosure", active_post(ad_penalty="9"))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.ad_penalty is None


def test_a_submitted_report_stays_locked_to_the_autosave(client, alice, report):
    Report.objects.filter(pk=report.pk).update(status=Status.SUBMITTED)
    client.force_login(alice)
    response = autosave(client, report, "active_disclosure", active_post(ad_penalty="9"))
    assert response.status_code == 403
    assert "待审核" in response.json()["message"]
    report.refresh_from_db()
    assert report.ad_penalty is None


def test_autosave_refuses_get_and_unknown_sections(client, alice, report):
    client.force_login(alice)
    assert client.get(autosave_url(report, "active_disclosure")).status_code == 405
    assert client.post(autosave_url(report, "nonsense"), {}).status_code == 404


def test_anonymous_autosave_is_sent_to_login(client, report):
    response = client.post(autosave_url(report, "problems"), {"problems": "x"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.problems == ""


def test_the_autosaves_answer_shows_the_progress_its_recount_found_reading_the_report_once(
    client, alice, report
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    report.refresh_from_db()
    payload = {**active_post(ad_penalty="3", ad_licensing="0"), "version": report.version}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(autosave_url(report, "active_disclosure"), payload)
    body = response.json()
    assert body["status"] == "saved"
    # The rules read the sub-sections of 一 once, for the recount, not again for the answer.
    reads = [
        q["sql"] for q in queries.captured_queries if 'FROM "reports_generalsection"' in q["sql"]
    ]
    assert len(reads) == 1
    _, progress = Report.objects.get(pk=report.pk).assess()
    assert body["progress"]["percent"] == progress.percent
    assert body["progress"]["pages"]["active_disclosure"]["state"] == next(
        p.state for p in progress.pages if p.key == "active_disclosure"
    )
