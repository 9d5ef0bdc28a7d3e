"""What one save of an editing page costs: 保存本部分 on 表三 stores the page, counts the
report's findings once and refreshes the regions above it with a single sum over the
region's own rows, in a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Agency, RegionTotal, Report, regions
from reports.spec import schema
from tests.helpers import make_report

pytestmark = pytest.mark.django_db

CELL = "app_new_received_natural_person"
YEAR = 2024
# Measured on the save below (SQLite and PostgreSQL alike): session and user, the
# report read and locked (among the clerk's agency's, so no visibility check before),
# its update and history row, the recount of it as saved (the rules' reading, the
# counts, the stored findings read locked with the marks they keep, and only those that
# changed written), the regions above (their totals' rows locked and each shifted by
# the report's share, a department's own (non-)region looked at once), the next year's
# report looked for, and the transaction's savepoint (the test's transaction is
# outside). 32 when the region's own reports were summed again on every save, 24 when
# every stored finding was rewritten and the row was compiled and checked apart.
SAVE_QUERIES = 18


def table_post(report: Report, **values: str) -> dict[str, str]:
    data = {c.field: "" for c in schema.stored_cells_of("applications")}
    data["applications_note"] = ""
    data.update(values)
    data["version"] = str(Report.objects.get(pk=report.pk).version)
    return data


def save(client, report: Report, **values: str):
    url = reverse("reports:section", args=[report.pk, "applications"])
    data = table_post(report, **values)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_save_of_the_largest_table_makes_a_bounded_number_of_queries(client, alice, agencies):
    report = make_report(agencies["office"], YEAR)
    client.force_login(alice)
    response, queries = save(client, report, **{CELL: "12"})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).app_new_received_natural_person == 12
    assert len(queries) <= SAVE_QUERIES, "\n".join(q[:100] for q in queries)
    # The report's row with its 170 cell columns is read once, locked, and counted as
    # saved; not again for the recount, the permission check before the save nor to
    # look for next year's report.
    wide = [q for q in queries if q.startswith('SELECT "reports_report"."id"')]
    wide = [q for q in wide if "app_carried_forward_other" in q]
    assert len(wide) == 1, "\n".join(q[:100] for q in wide)
    # The regions' totals are shifted by the report's share, not summed again.
    sums = [q for q in queries if 'SUM("reports_report"' in q]
    assert sums == []


def test_the_region_above_a_save_holds_what_was_saved_as_summing_its_reports_does(
    client, alice, agencies
):
    zhenhai = agencies["zhenhai"]
    make_report(agencies["finance"], YEAR, figures={CELL: 5})
    report = make_report(agencies["office"], YEAR)
    client.force_login(alice)
    assert save(client, report, **{CELL: "12"})[0].status_code == 302
    stored = RegionTotal.objects.get(agency=zhenhai, year=YEAR).totals()
    assert stored.sums[CELL] == 17
    assert stored.reports == 2
    subtree = zhenhai.subtree()
    live = regions.live(Report.objects.current().filter(agency__in=subtree), subtree, YEAR)
    assert stored == live
    # Every other cell of alice's page was left blank, 金融发展服务中心's too.
    assert CELL not in stored.blanks
    assert stored.blanks["app_new_received_commercial"] == 2


def test_a_region_without_reports_for_the_year_sums_to_nothing(agencies):
    zhenhai = agencies["zhenhai"]
    regions.refresh(zhenhai.pk, 2031)
    stored = RegionTotal.objects.get(agency=zhenhai, year=2031).totals()
    assert stored.reports == 0
    assert stored.sums[CELL] == 0
    assert stored.blanks == {}
    assert stored.kind(True)["agencies"] == 1
    assert stored.kind(False)["agencies"] == 2
    assert Agency.objects.filter(parent=zhenhai).count() == 2
