"""The report of an editing page (``views.editor.page_report``): for a clerk or a
reviewer the row read through SQL compiled once per process, the very report
``get_report_for`` reads, with whether the page has 批注 or an import to show; a report
of another agency does not exist for them."""

import pytest
from django.http import Http404

from reports.models import Annotation, ImportLog, Report
from reports.spec import schema
from reports.views.editor import _page_flags, page_report
from reports.views.reports import get_report_for
from tests.helpers import make_report

pytestmark = pytest.mark.django_db


def same_report(a: Report, b: Report, section: str) -> None:
    for field in Report._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.attname
        assert type(getattr(a, field.attname)) is type(getattr(b, field.attname)), field.attname
    for flag in _page_flags(section):
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
            section,
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
        "applications",
    )
