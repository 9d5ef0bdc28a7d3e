"""The public site's list (search by agency, region and year; keyset pages; the date
shown), its downloads, its cache headers and its throttle for anonymous clients."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from reports.models import Agency, Report, Status
from reports.models import catalogue as cat
from tests.helpers import load_seed, make_report, published_report

pytestmark = pytest.mark.django_db


def _loaded_as_published(agency: Agency, year: int, signed: date | None = None, **fields) -> Report:
    """A report that came in already published (as ``load_demo`` or an import of the
    published file stores it): no publication in this system's event log."""
    report = make_report(agency, year)
    Report.objects.filter(pk=report.pk).update(
        status=Status.PUBLISHED, signature_date=signed, **fields
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def region(agencies) -> dict[str, Agency]:
    """Two district governments, each with departments that published for 2022 and 2023."""
    other = Agency.objects.create(name="宁波市北仑区人民政府", is_government=True)
    beilun = Agency.objects.create(name="宁波市北仑区财政局", parent=other)
    for agency in (agencies["office"], agencies["finance"], beilun):
        for year in (2022, 2023):
            _loaded_as_published(agency, year, date(year + 1, 1, 15))
    return {"zhenhai": agencies["zhenhai"], "beilun": other}


def _listed(client, **params) -> list[tuple[str, int]]:
    response = client.get(reverse("public:list"), params)
    assert response.status_code == 200
    return [(r.agency.name, r.year) for r in response.context["reports"]]


def test_the_list_searches_by_part_of_an_agency_name_by_region_and_by_year(client, region):
    assert _listed(client, agency="金融") == [
        ("宁波市镇海区金融发展服务中心", 2023),
        ("宁波市镇海区金融发展服务中心", 2022),
    ]
    assert {name for name, _ in _listed(client, region=region["beilun"].pk)} == {
        "宁波市北仑区财政局"
    }
    assert _listed(client, region=region["zhenhai"].pk, year=2022) == [
        ("宁波市镇海区人民政府办公室", 2022),
        ("宁波市镇海区金融发展服务中心", 2022),
    ]
    assert _listed(client, agency="不存在的机关") == []
    page = client.get(reverse("public:list")).getvalue().decode()
    # Only governments with published reports beneath them are offered as regions.
    assert "宁波市北仑区人民政府" in page and "卫东区金融工作局</option>" not in page


def test_the_list_pages_by_keyset_newest_year_first_without_losing_or_repeating_a_report(
    client, region
):
    seen: list[tuple[str, int]] = []
    params: dict = {"size": 2}
    pages = 0
    while True:
        response = client.get(reverse("public:list"), params)
        seen += [(r.agency.name, r.year) for r in response.context["reports"]]
        pages += 1
        if not response.context["next_query"]:
            break
        assert "page-next" in response.getvalue().decode()
        params = dict(item.split("=") for item in response.context["next_query"].split("&"))
    assert pages == 3
    assert len(seen) == len(set(seen)) == 6
    assert [year for _, year in seen] == [2023, 2023, 2023, 2022, 2022, 2022]
    # A report published meanwhile ahead of the page (a newer year comes first) does not
    # shift the next page's rows, as an offset would.
    cache.clear()  # the page kept from the first request has no template context
    first = client.get(reverse("public:list"), {"size": 2}).context["reports"]
    _loaded_as_published(Agency.objects.get(name="卫东区金融工作局"), 2024, date(2025, 1, 3))
    after = client.get(reverse("public:list"), {"size": 2, "after": first[-1].pk})
    assert [(r.agency.name, r.year) for r in after.context["reports"]] == seen[2:4]


def test_the_list_takes_the_same_queries_for_five_or_fifty_reports(
    client, agencies, django_assert_max_num_queries
):
    for year in range(2010, 2015):
        _loaded_as_published(agencies["office"], year, date(year + 1, 1, 2))
    with django_assert_max_num_queries(7) as five:
        client.get(reverse("public:list"))
    for year in range(2015, 2060):
        _loaded_as_published(agencies["office"], year, date(year + 1, 1, 2))
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(reverse("public:list"))
    assert len(response.context["reports"]) == 50  # the default page


def test_the_date_shown_is_the_publication_date_or_the_signed_date_marked_as_such(
    client, alice, bob, agencies
):
    published = published_report(alice, bob)  # published through this system
    imported = _loaded_as_published(agencies["finance"], 2023, date(2024, 1, 10))
    # load_demo stores the signed date as the publication date: still the signed date.
    demo = _loaded_as_published(
        agencies["weidong"], 2023, date(2024, 1, 20), published_on=date(2024, 1, 20)
    )
    unknown = _loaded_as_published(agencies["office"], 2021)

    rows = {
        r.pk: (r.release_on, r.release_is_signed)
        for r in client.get(reverse("public:list")).context["reports"]
    }
    assert rows[published.pk] == (published.published_on, False)
    assert rows[imported.pk] == (date(2024, 1, 10), True)
    assert rows[demo.pk] == (date(2024, 1, 20), True)
    assert rows[unknown.pk] == (None, False)
    page = client.get(reverse("public:list")).getvalue().decode()
    assert '2024年1月10日</time><span class="signed-mark">（落款日期）</span>' in page
    assert "未载明" in page

    detail = client.get(reverse("public:detail", args=[imported.pk])).getvalue().decode()
    assert "发布日期：<time" in detail and "（落款日期）" in detail


@pytest.mark.parametrize(
    ("name", "content_type", "start"),
    [
        ("public:docx", "application/vnd.openxmlformats", b"PK"),
        ("public:json", "application/json", b"{"),
        ("public:html", "text/html", b"<!DOCTYPE html>"),
    ],
)
def test_an_anonymous_reader_downloads_a_published_report_as_word_json_and_html(
    client, alice, bob, agencies, name, content_type, start
):
    report = published_report(alice, bob)
    draft = make_report(agencies["finance"], 2023)

    response = client.get(reverse(name, args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    body = b"".join(response.streaming_content)
    assert body.startswith(start)
    assert "attachment" in response["Content-Disposition"]
    if name == "public:json":
        seed = load_seed(1)
        data = json.loads(body)
        assert data["title"] == seed["title"]
        assert data["applications"] == seed["applications"]
    assert client.get(reverse(name, args=[draft.pk])).status_code == 404
    assert client.post(reverse(name, args=[report.pk])).status_code == 405


def test_the_report_page_links_every_download(client, alice, bob):
    report = published_report(alice, bob)
    page = client.get(reverse("public:detail", args=[report.pk])).getvalue().decode()
    for name in ("public:pdf", "public:docx", "public:json", "public:html"):
        assert f'href="{reverse(name, args=[report.pk])}"' in page


def test_anonymous_pages_are_cacheable_and_answer_304_until_something_changes(
    client, alice, bob, agencies
):
    report = published_report(alice, bob)
    url = reverse("public:detail", args=[report.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    assert first["ETag"] and first["Last-Modified"]
    assert "Cookie" in first["Vary"]

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304

    listed = client.get(reverse("public:list"))
    # A new publication changes the list: the old ETag no longer matches.
    _loaded_as_published(agencies["finance"], 2023, date(2024, 1, 10))
    changed = client.get(reverse("public:list"), HTTP_IF_NONE_MATCH=listed["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != listed["ETag"]


def test_a_signed_in_readers_copy_of_a_public_page_is_private(client, alice, bob):
    report = published_report(alice, bob)
    client.force_login(alice)
    response = client.get(reverse("public:detail", args=[report.pk]))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_an_anonymous_client_over_the_limit_gets_429_and_a_signed_in_user_does_not(
    client, alice, bob, settings
):
    settings.PUBLIC_THROTTLE_REQUESTS = 3
    report = published_report(alice, bob)
    url = reverse("public:detail", args=[report.pk])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(reverse("public:list"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "请求过于频繁" in refused.content.decode()

    client.force_login(alice)
    assert client.get(url).status_code == 200


def test_the_list_offers_the_years_there_are_published_reports_for(client, region):
    html = client.get(reverse("public:list"), {"year": 2023}).getvalue().decode()
    years = re.findall(r'<option value="(\d*)"( selected)?>(.*?)</option>', html)
    assert ("2023", " selected", "2023年") in years and ("2022", "", "2022年") in years
    assert ("", "", "全部年度") in years


def test_the_years_offered_skip_the_years_nothing_was_published_for(client, region, agencies):
    _loaded_as_published(agencies["office"], 2019, date(2020, 1, 20))
    make_report(agencies["finance"], 2021)  # a draft: not a year the public can choose
    html = client.get(reverse("public:list")).getvalue().decode()
    years = re.findall(r'<option value="(\d+)">\d+年</option>', html)
    assert years == ["2023", "2022", "2019"]
    cache.clear()  # the page kept from the first request has no template context
    listed = [r.year for r in client.get(reverse("public:list")).context["reports"]]
    assert listed == [2023, 2023, 2023, 2022, 2022, 2022, 2019]


def test_a_region_is_offered_for_the_reports_beneath_it_not_for_a_region_whose_id_begins_alike(
    client,
):
    # Paths as ids make them: /7/ and /70/ share their first characters, and a
    # department of /70/ is not beneath /7/.
    seven = Agency.objects.create(name="七号区人民政府", is_government=True)
    seventy = Agency.objects.create(name="七十号区人民政府", is_government=True)
    department = Agency.objects.create(name="七十号区财政局", parent=seventy)
    Agency.objects.filter(pk=seven.pk).update(path="/7/")
    Agency.objects.filter(pk=seventy.pk).update(path="/70/")
    Agency.objects.filter(pk=department.pk).update(path="/70/71/")
    _loaded_as_published(department, 2023, date(2024, 1, 15))
    offered = [a.name for a in cat.regions()]
    assert "七十号区人民政府" in offered and "七号区人民政府" not in offered
    make_report(Agency.objects.get(pk=seven.pk), 2023)  # its own draft: still not offered
    assert "七号区人民政府" not in [a.name for a in cat.regions()]
    _loaded_as_published(Agency.objects.get(pk=seven.pk), 2022, date(2023, 1, 15))
    assert "七号区人民政府" in [a.name for a in cat.regions()]
