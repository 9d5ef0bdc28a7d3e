"""A report's whole life seen through the open data: published, corrected by a revision
that is first a draft, published again, then followed by next year's draft. At each
step the public list, the API (list and detail), the region's CSV and JSON and the feed
say the same thing: the newest published revision of each agency and year, one line
each, and never a figure that is not published yet.

The figures expected are seed 001's (SPEC §4: 36 natural persons and 16 companies, 52
new applications), and 36 + 5 = 41 and 52 + 5 = 57 once the revision adds five
applications, all granted."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from reports.io.newyear import start_report
from reports.models import Agency, Report
from tests.helpers import published_report

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NATURAL = "表三 一、本年新收政府信息公开申请数量 · 自然人"
TOTAL = "表三 一、本年新收政府信息公开申请数量 · 总计"
OFFICE = "宁波市镇海区人民政府办公室"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv_rows(client, region: Agency, year: int) -> list[dict[str, str]]:
    response = client.get(reverse("public:bulk_csv", args=[year, region.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _json_reports(client, region: Agency, year: int) -> list[dict]:
    response = client.get(reverse("public:bulk_json", args=[year, region.pk]))
    assert response.status_code == 200
    return json.loads(_body(response))["reports"]


def _api_list(client, **query) -> list[dict]:
    response = client.get(reverse("public:api_reports"), query)
    assert response.status_code == 200
    return response.json()["results"]


def _api_new_received(client, pk: int) -> dict:
    response = client.get(reverse("public:api_report", args=[pk]))
    assert response.status_code == 200
    return response.json()["applications"]["new_received"]


def _feed_titles(client) -> list[str]:
    root = ElementTree.fromstring(client.get(reverse("public:feed")).content)
    return [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]


def _listed_pks(client) -> list[int]:
    page = client.get(reverse("public:list")).getvalue().decode()
    return [r.pk for r in Report.objects.all() if f'href="/public/{r.pk}/"' in page]


def _everything_says(client, region: Agency, pk: int, natural: int, total: int) -> None:
    """Every open-data view shows report ``pk`` and no other revision of 2023."""
    api = [r for r in _api_list(client, year=2023) if r["agency"] == OFFICE]
    assert [r["id"] for r in api] == [pk]
    assert _api_new_received(client, pk)["natural_person"] == natural
    assert _api_new_received(client, pk)["total"] == total
    rows = [r for r in _csv_rows(client, region, 2023) if r["机关"] == OFFICE]
    assert [(r[NATURAL], r[TOTAL]) for r in rows] == [(str(natural), str(total))]
    items = [r for r in _json_reports(client, region, 2023) if r["agency"] == OFFICE]
    assert [i["applications"]["new_received"]["total"] for i in items] == [total]
    assert _listed_pks(client) == [pk]


def test_open_data_follows_a_report_through_revision_and_into_the_next_year(client, alice, bob):
    region = Agency.objects.get(name="宁波市镇海区人民政府")
    original = published_report(alice, bob)
    _everything_says(client, region, original.pk, natural=36, total=52)
    assert _feed_titles(client) == [original.title]

    # A revision under way is a draft: the public still reads the published version.
    revision = original.start_revision(alice)
    revision.app_new_received_natural_person = 41
    revision.app_granted_natural_person += 5  # five more granted: the table still adds up
    revision.save()
    _everything_says(client, region, original.pk, natural=36, total=52)
    assert client.get(reverse("public:api_report", args=[revision.pk])).status_code == 404
    assert _feed_titles(client) == [original.title]

    revision.submit(alice)
    revision.approve(bob)
    _everything_says(client, region, original.pk, natural=36, total=52)

    # Published again: the revision replaces the original everywhere, with 5 more.
    revision.publish(bob)
    _everything_says(client, region, revision.pk, natural=41, total=57)
    [listed] = [r for r in _api_list(client, year=2023) if r["agency"] == OFFICE]
    assert listed["revision"] == 1
    assert _feed_titles(client) == [f"{original.title}（第1次修订）", original.title]
    # The version it corrects stays readable at its own address, with its own figures
    # and a note that points to the correction.
    assert _api_new_received(client, original.pk)["total"] == 52
    old_page = client.get(reverse("public:detail", args=[original.pk])).getvalue().decode()
    assert "您正在查看修订前的版本" in old_page
    assert f'href="/public/{revision.pk}/"' in old_page

    # Next year's report starts as a draft from the corrected one: nothing of it is
    # public, and 2023's open data is unchanged.
    next_year = start_report(revision.agency, 2024, created_by=alice)
    assert next_year.year == 2024
    assert [r for r in _api_list(client, year=2024) if r["agency"] == OFFICE] == []
    assert [r for r in _csv_rows(client, region, 2024) if r["机关"] == OFFICE] == []
    assert client.get(reverse("public:api_report", args=[next_year.pk])).status_code == 404
    _everything_says(client, region, revision.pk, natural=41, total=57)
