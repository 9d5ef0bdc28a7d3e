"""``{% report_url %}`` links a report's pages as ``{% url %}`` does, for any id and
under any script prefix."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.urls.base import set_script_prefix

NAMES = ["reports:detail", "reports:preview", "reports:pdf", "reports:xlsx", "oversight:agency"]


def rendered(name: str, pk: int) -> str:
    return Template("{% load report_urls %}{% report_url name pk %}").render(
        Context({"name": name, "pk": pk})
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_report_url_is_what_reverse_writes_for_any_id(name):
    for pk in (1, 7, 12345, 987654321):
        assert rendered(name, pk) == reverse(name, args=[pk])


def test_a_report_url_keeps_the_script_prefix_of_the_request():
    try:
        set_script_prefix("/goi/")
        assert rendered("reports:pdf", 5) == "/goi/reports/5/report.pdf"
    finally:
        set_script_prefix("/")
    assert rendered("reports:pdf", 5) == "/reports/5/report.pdf"


def test_a_url_without_exactly_one_id_is_refused():
    with pytest.raises(NoReverseMatch):
        rendered("reports:list", 5)
