"""The report page stays at a constant number of queries however large the region."""

import pytest
from django.urls import reverse

from reports.models import Agency
from tests.helpers import import_seed, make_report


@pytest.mark.parametrize("extra", [5, 50])
def test_report_page_costs_the_same_queries_for_5_or_50_agencies(
    client, carol, agencies, extra, django_assert_max_num_queries
):
    report = import_seed(1, complete=True)
    make_report(agencies["office"], year=2022, figures={"app_carried_forward_natural_person": 9})
    for i in range(extra):
        agency = Agency.objects.create(name=f"部门{i}", parent=agencies["zhenhai"])
        make_report(agency, year=2023)
    client.force_login(carol)
    # Session, user with agency, report, sub-sections, last year's document (2), the
    # narrative of the sibling agencies' reports for R16 (2), the triage marks, the
    # newest workflow events, the last submission's events and their count, the change
    # history of the report and of its sub-sections, the 批注, the last import log (none
    # here), the other revisions: a fixed set.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    # Last year's report was read and compared: it carried 9 forward for 自然人 (and so
    # 9 in 总计), the seed carries over 0 in both.
    r7 = [f.message for f in response.context["findings"] if f.rule == "R7"]
    assert len(r7) == 2
    assert all("为0" in m and "2022年度报告“四、结转下年度继续办理”为9" in m for m in r7)
    assert "2022年度报告“四、结转下年度继续办理”为9" in response.getvalue().decode()
