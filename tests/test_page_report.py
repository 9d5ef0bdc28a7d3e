"""The report of an editing page (``views.editor.page_report``) and of the report page
(``ReportRead``): for a clerk or a reviewer the row read through SQL compiled once per
process, the very report ``get_report_for`` reads, with the flags of what the page has
to show (批注, an import, events); a report of another agency does not exist for them."""

from collections.abc import Iterable

import pytest
from django.http import Http404

from reports.models import Annotation, ImportLog, Report
from reports.spec import schema
from reports.views.editor import _page_flags, page_report
from reports.views.reports import _DETAIL_READ, detail_flags, get_report_for
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


def same_report(a: Report, b: Report, flags: Iterable[str]) -> None:
    for field in Report._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.attname
        assert type(getattr(a, field.attname)) is type(getattr(b, field.attname)), field.attname
    for flag in flags:
        assert getattr(a, flag) == getattr(b, flag), flag
    assert a.agency == b.agency
    assert not a._state.adding and a._state.db == b._state.db


@pytest.mark.parametrize("section", [key for key, _ in schema.EDIT_PAGES])
def test_an_editing_page_reads_the_report_get_report_for_reads(alice, bob, agencies, section):
    report = make_report(
        agencies["office"], figures={"app_new_received_natural_person": 3}, title="某年度报告"
    )
    Annotation.objects.create(report=report, page="applications", author=bob, body="请核对")
    ImportLog.objects.create(report=report, filename="x.docx", kind="docx")
    for user in (alice, bob):
        same_report(
            page_report(user, report.pk, section),
            get_report_for(user, report.pk, **_page_flags(section)),
            _page_flags(section),
        )


def test_a_report_of_another_agency_is_not_found_on_an_editing_page(alice, agencies):
    report = make_report(agencies["finance"])
    with pytest.raises(Http404):
        page_report(alice, report.pk, "info")


def test_an_oversight_user_reads_the_editing_page_of_a_report_beneath(carol, agencies):
    report = make_report(agencies["office"])
    same_report(
        page_report(carol, report.pk, "applications"),
        get_report_for(carol, report.pk, **_page_flags("applications")),
        _page_flags("applications"),
    )


def test_the_report_page_reads_the_report_get_report_for_reads_with_its_flags(alice, bob, agencies):
    report = make_report(agencies["office"], figures={"ad_licensing": 4})
    Annotation.objects.create(report=report, page="applications", author=bob, body="请核对")
    for user in (alice, bob):
        read = _DETAIL_READ.get(user, report.pk)
        expected = get_report_for(user, report.pk, **detail_flags())
        same_report(read, expected, detail_flags())
        assert read.annotated and not read.logged


def test_a_report_of_another_agency_is_not_found_on_the_report_page(alice, agencies):
    report = make_report(agencies["finance"])
    with pytest.raises(Http404):
        _DETAIL_READ.get(alice, report.pk)
