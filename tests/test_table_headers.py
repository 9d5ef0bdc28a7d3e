"""Every header cell of the report tables and the lists says what it heads (th scope),
so that a screen reader reads each number with its row and column."""

import re

import pytest
from django.urls import reverse

from reports.spec import schema
from tests.helpers import make_report

pytestmark = pytest.mark.django_db

TH = re.compile(r"<th(?:\s[^>]*)?>")


def headers_without_scope(html: str) -> list[str]:
    return [th for th in TH.findall(html) if "scope=" not in th]


def test_the_section_tables_and_lists_scope_every_header(client, alice, carol, agencies):
    report = make_report(agencies["office"], 2024)
    client.force_login(alice)
    for section in schema.TABLES:
        body = client.get(reverse("reports:section", args=[report.pk, section])).getvalue()
        assert headers_without_scope(body.decode()) == [], section
    assert headers_without_scope(client.get(reverse("reports:list")).getvalue().decode()) == []
    client.force_login(carol)
    body = client.get(reverse("oversight:home") + "?year=2024").getvalue().decode()
    assert 'id="oversight-table"' in body
    assert headers_without_scope(body) == []
