"""A query compiled once per process (``models.prepared``) returns, with any values,
the rows its queryset returns with them."""

import pytest
from django.db.models import Q

from reports.models import Agency, Report
from reports.models.prepared import PreparedQuery
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


def reports_of(agency: int, year: int, others: list[int]):
    """A value used twice, a small integer column, a list and a constant of the query."""
    return (
        Report.objects.filter(Q(agency_id=agency) | Q(agency_id__in=others), year=year)
        .exclude(agency_id=agency, revision=7)
        .exclude(pk=-1)
        .order_by("agency__name")
        .values_list("pk", "agency__name", "year")
    )


@pytest.fixture
def reports(agencies) -> dict[str, Report]:
    return {
        key: make_report(agency, year=year)
        for key, agency, year in [
            ("office", agencies["office"], 2024),
            ("office_before", agencies["office"], 2023),
            ("finance", agencies["finance"], 2024),
            ("weidong", agencies["weidong"], 2024),
        ]
    }


def test_a_prepared_query_finds_what_its_queryset_finds_with_each_set_of_values(agencies, reports):
    prepared = PreparedQuery(reports_of)
    office, finance, weidong = (agencies[k].pk for k in ("office", "finance", "weidong"))
    for values in [
        {"agency": office, "year": 2024, "others": [finance]},
        {"agency": office, "year": 2023, "others": [finance]},
        {"agency": finance, "year": 2024, "others": [office, weidong]},
        {"agency": weidong, "year": 2024, "others": [weidong]},
        {"agency": office, "year": 2025, "others": [finance, weidong]},
    ]:
        assert prepared.rows(**values) == list(reports_of(**values))


def test_a_prepared_query_is_compiled_once_for_each_length_of_a_list(agencies, reports):
    prepared = PreparedQuery(reports_of)
    office, finance, weidong = (agencies[k].pk for k in ("office", "finance", "weidong"))
    prepared.rows(agency=office, year=2024, others=[finance])
    prepared.rows(agency=finance, year=2023, others=[weidong])
    prepared.rows(agency=office, year=2024, others=[finance, weidong])
    assert len(prepared._compiled) == 2


def test_a_long_list_is_asked_through_the_queryset_and_finds_the_same(agencies, reports):
    prepared = PreparedQuery(reports_of)
    office, finance = agencies["office"].pk, agencies["finance"].pk
    many = [finance, *range(10**6, 10**6 + 40)]
    assert prepared.rows(agency=office, year=2024, others=many) == list(
        reports_of(office, 2024, many)
    )
    assert len(reports_of(office, 2024, many)) == 2
    assert not prepared._compiled


def test_a_value_written_into_the_sql_itself_is_refused(agencies):
    # An offset is written into the SQL, not passed as a parameter.
    prepared = PreparedQuery(lambda agency: Agency.objects.values_list("pk")[agency % 3 :])
    with pytest.raises(ValueError):
        prepared.rows(agency=agencies["office"].pk)


def test_a_value_the_query_turns_into_another_is_refused(agencies):
    def next_one(agency: int, other: int):
        # With consecutive placeholders, agency + 1 would be taken for other.
        return (
            Agency.objects.filter(pk=agency + 1, parent_id=other)
            .exclude(pk=agency)
            .values_list("pk")
        )

    with pytest.raises(ValueError):
        PreparedQuery(next_one).rows(agency=agencies["office"].pk, other=agencies["finance"].pk)


def test_a_query_of_dates_and_decimals_finds_them_as_the_orm_converts_them(agencies, reports):
    def changed(agency: int):
        return Report.objects.filter(agency_id=agency).values_list(
            "updated_at", "signature_date", "ad_fees_10k_yuan", "is_current"
        )

    office = agencies["office"].pk
    assert PreparedQuery(changed).rows(agency=office) == list(changed(office))
