"""A report's share of its regions' totals (reports.models.shares): the shares of
reports in every state add up to what ``regions.live`` sums from the rows, and a page
saved in the editor, or autosaved, moves every region above by what it changed, with
the totals then equal to the rows summed again."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Agency, RegionTotal, Report, StoredFinding, regions, shares, triage
from reports.spec import schema
from tests.helpers import import_seed, load_seed, make_report, published_report

pytestmark = pytest.mark.django_db

CELL = "app_new_received_natural_person"
YEAR = 2023


def summed(agency: Agency, year: int = YEAR) -> regions.Totals:
    subtree = agency.subtree()
    return regions.live(Report.objects.current().filter(agency__in=subtree), subtree, year)


def stored(agency: Agency, year: int = YEAR) -> regions.Totals:
    return RegionTotal.objects.get(agency=agency, year=year).totals()


def findings_of(report: Report) -> list[tuple[str, str, str]]:
    return list(
        StoredFinding.objects.filter(report=report).values_list("rule", "severity", "triage")
    )


def test_the_shares_of_reports_in_every_state_add_up_to_the_rows_summed(
    tree, seed_agencies, alice, bob
):
    # The five seeds in their own agencies, one of them published first (before the
    # others, whose figures its cross-year checks would read), revised and a finding
    # of the revision judged; a publication on time, drafts.
    published = published_report(alice, bob)  # 宁波市镇海区人民政府办公室 2023
    for i in (0, 2, 3, 4):
        import_seed(i, complete=True)
    revision = published.start_revision(alice)
    setattr(revision, CELL, 99)
    revision.save()
    on_time = make_report(tree["education"], YEAR, figures={CELL: 4})
    Report.objects.filter(pk=on_time.pk).update(
        status="published", published_on=date(YEAR + 1, 1, 20)
    )
    finding = StoredFinding.objects.filter(report=revision).first()
    assert finding is not None
    triage.mark(bob, revision, finding.fingerprint, "dismissed", "核实无误")
    make_report(tree["office"], YEAR + 1, figures={CELL: 5})  # next year's draft
    for year in (YEAR, YEAR + 1):
        total = regions.Totals()
        for report in Report.objects.filter(year=year).select_related("agency"):
            total.add(shares.share(report, findings_of(report)))
        expected = regions.live(
            Report.objects.current().filter(year=year), Agency.objects.none(), year
        )
        assert total == expected, year


def test_a_non_current_revision_has_no_share(tree, seed_agencies, alice, bob):
    report = import_seed(1, complete=True)
    report.submit(alice)
    report.approve(bob)
    report.publish(bob)
    report.start_revision(alice)
    old = Report.objects.select_related("agency").get(pk=report.pk)
    assert not old.is_current
    assert shares.share(old, findings_of(old)) == regions.Totals()


def table_post(report: Report, **values: str) -> dict[str, str]:
    """The page of 表三 as the browser sends it, blank but for ``values``."""
    data = {c.field: "" for c in schema.stored_cells_of("applications")}
    data["applications_note"] = ""
    for field in schema.stored_cells_of("applications"):
        value = getattr(report, field.field)
        data[field.field] = "" if value is None else str(value)
    data.update(values)
    data["version"] = str(Report.objects.get(pk=report.pk).version)
    return data


def test_a_saved_page_moves_every_region_above_by_what_it_changed(client, tree, alice):
    office = make_report(tree["office"], YEAR, figures={CELL: 3})
    make_report(tree["finance"], YEAR, figures={CELL: 7})
    make_report(tree["education"], YEAR, figures={CELL: 11})
    assert stored(tree["city"]).sums[CELL] == 21
    client.force_login(alice)
    url = reverse("reports:section", args=[office.pk, "applications"])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, table_post(office, **{CELL: "12"}))
    assert response.status_code == 302
    assert Report.objects.get(pk=office.pk).app_new_received_natural_person == 12
    # Shifted, not summed again: 3 + 7 = 10 became 12 + 7, and 21 became 30.
    assert not [q for q in queries.captured_queries if 'SUM("reports_report"' in q["sql"]]
    assert stored(tree["zhenhai"]).sums[CELL] == 19
    assert stored(tree["city"]).sums[CELL] == 30
    # 本年新收 no longer adds up in 表三: the office's new errors are counted above.
    assert Report.objects.get(pk=office.pk).error_count > 0
    for region in (tree["zhenhai"], tree["city"]):
        assert stored(region) == summed(region), region.name


def test_an_autosave_moves_the_regions_as_a_save_does(client, tree, alice):
    office = make_report(tree["office"], YEAR, figures={"ad_licensing": 2})
    make_report(tree["education"], YEAR, figures={"ad_licensing": 5})
    client.force_login(alice)
    data = {c.field: "" for c in schema.stored_cells_of("active_disclosure")}
    data.update({"active_disclosure_note": "", "ad_licensing": "9", "ad_penalty": "x"})
    data["version"] = str(office.version)
    url = reverse("reports:autosave", args=[office.pk, "active_disclosure"])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "ad_penalty" in response.json()["errors"]  # stored nowhere, named
    assert stored(tree["zhenhai"]).sums["ad_licensing"] == 9
    assert stored(tree["city"]).sums["ad_licensing"] == 14
    for region in (tree["zhenhai"], tree["city"]):
        assert stored(region) == summed(region), region.name


def test_a_judged_finding_kept_by_a_save_stays_judged_in_the_totals(client, tree, alice, bob):
    office = make_report(tree["office"], YEAR, figures={CELL: 3})
    finding = StoredFinding.objects.filter(report=office).first()
    assert finding is not None
    triage.mark(bob, office, finding.fingerprint, "dismissed", "核实无误")
    client.force_login(alice)
    url = reverse("reports:section", args=[office.pk, "active_disclosure"])
    data = {c.field: "" for c in schema.stored_cells_of("active_disclosure")}
    data.update({"active_disclosure_note": "", "ad_licensing": "1", "version": office.version})
    assert client.post(url, data).status_code == 302
    for region in (tree["zhenhai"], tree["city"]):
        assert stored(region) == summed(region), region.name


def test_a_region_without_its_row_is_summed_again_on_a_save(client, tree, alice):
    office = make_report(tree["office"], YEAR, figures={CELL: 3})
    make_report(tree["education"], YEAR, figures={CELL: 11})
    RegionTotal.objects.filter(agency=tree["city"], year=YEAR).delete()
    client.force_login(alice)
    url = reverse("reports:section", args=[office.pk, "applications"])
    assert client.post(url, table_post(office, **{CELL: "5"})).status_code == 302
    assert stored(tree["city"]).sums[CELL] == 16
    assert stored(tree["zhenhai"]).sums[CELL] == 5
    for region in (tree["zhenhai"], tree["city"]):
        assert stored(region) == summed(region), region.name


def test_a_seed_saved_through_the_editor_leaves_the_totals_equal_to_the_rows(
    client, tree, seed_agencies, alice
):
    report = import_seed(1, complete=True)
    received = load_seed(1)["applications"]["new_received"]["natural_person"]
    client.force_login(alice)
    url = reverse("reports:section", args=[report.pk, "applications"])
    new = str(received + 1)
    assert client.post(url, table_post(report, **{CELL: new})).status_code == 302
    year = report.year
    assert stored(tree["zhenhai"], year).sums[CELL] == received + 1
    for region in (tree["zhenhai"], tree["city"]):
        assert stored(region, year) == summed(region, year), region.name


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_and_marks_in_one_region_leave_its_totals_equal_to_the_rows(
    tree, alice, bob
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    from django.test import Client

    from reports.models import Role, User

    finance_clerk = User.objects.create_user(
        "fiona", password="x", role=Role.CLERK, agency=tree["finance"]
    )
    office = make_report(tree["office"], YEAR, figures={CELL: 1})
    finance = make_report(tree["finance"], YEAR, figures={CELL: 2})
    barrier = threading.Barrier(3)
    failures: list[str] = []

    def saves(user, report: Report) -> None:
        client = Client()
        client.force_login(user)
        url = reverse("reports:section", args=[report.pk, "applications"])
        barrier.wait()
        try:
            for value in range(10, 16):
                fresh = Report.objects.get(pk=report.pk)
                response = client.post(url, table_post(fresh, **{CELL: str(value)}))
                if response.status_code != 302:
                    failures.append(f"{user.username}: {response.status_code}")
        finally:
            connection.close()

    def marks() -> None:
        barrier.wait()
        try:
            for _ in range(6):
                found = StoredFinding.objects.filter(report=office).order_by("?").first()
                if found is not None:
                    try:
                        triage.mark(bob, office, found.fingerprint, "dismissed", "核实无误")
                    except triage.TriageError:
                        pass  # the finding went with a save meanwhile
        finally:
            connection.close()

    threads = [
        threading.Thread(target=saves, args=(alice, office)),
        threading.Thread(target=saves, args=(finance_clerk, finance)),
        threading.Thread(target=marks),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert stored(tree["zhenhai"]).sums[CELL] == 15 + 15
    for region in (tree["zhenhai"], tree["city"]):
        assert stored(region) == summed(region), region.name


def test_a_save_that_changes_no_share_writes_no_regions_row(client, tree, alice):
    office = make_report(tree["office"], YEAR, figures={CELL: 3}, problems="原来的问题。")
    client.force_login(alice)
    url = reverse("reports:section", args=[office.pk, "problems"])
    data = {"problems": "改写后的问题。", "version": office.version}
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    assert Report.objects.get(pk=office.pk).problems == "改写后的问题。"
    assert not [q for q in queries.captured_queries if "reports_regiontotal" in q["sql"]]
    for region in (tree["zhenhai"], tree["city"]):
        assert stored(region) == summed(region), region.name


def test_a_page_saved_again_unchanged_writes_its_findings_not_again(client, tree, alice):
    office = make_report(tree["office"], YEAR, figures={CELL: 3})
    client.force_login(alice)
    url = reverse("reports:section", args=[office.pk, "applications"])
    assert client.post(url, table_post(office, **{CELL: "4"})).status_code == 302
    before = list(StoredFinding.objects.filter(report=office).values_list("pk", "message"))
    assert before  # 表三 does not add up
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, table_post(office)).status_code == 302
    written = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "DELETE"))
    ]
    assert not [q for q in written if "reports_storedfinding" in q]
    assert list(StoredFinding.objects.filter(report=office).values_list("pk", "message")) == before
