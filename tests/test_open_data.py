"""Open data: the JSON Schema at its stable URL and the JSON importer that checks files
against it, the read-only API, the Atom feed and a region's figures for a year as CSV
and JSON; all valid against the schema, importable by ``import_report``, cacheable and
throttled for anonymous clients."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.urls import reverse
from jsonschema import Draft202012Validator

from reports.io.errors import ImportRefused
from reports.io.imports import import_bytes
from reports.models import Agency, Report, Status
from tests.helpers import (
    ensure_seed_agencies,
    import_seed,
    load_seed,
    make_report,
    published_report,
)

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/public/schema/report-2021.schema.json"  # the stable URL the README gives
ATOM = "{http://www.w3.org/2005/Atom}"


def _schema(client) -> Draft202012Validator:
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/schema+json")
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "http://testserver" + SCHEMA_URL
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, data: object) -> list[str]:
    return [e.message for e in validator.iter_errors(data)]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def seeds_published(seed_agencies) -> list[Report]:
    """The five seeds, published as they came in (the signed date of each is known);
    seeds 000 and 001 are of departments beneath 宁波市镇海区人民政府."""
    reports = []
    for index in range(5):
        report = import_seed(index, complete=True)
        Report.objects.filter(pk=report.pk).update(
            status=Status.PUBLISHED, signature_date=date(2024, 1, 10)
        )
        reports.append(report)
    return reports


def _round_trip(tmp_path, data: dict, into: str) -> dict:
    """``data`` written to a file and imported by ``import_report`` into agency ``into``:
    the report it made, in the interchange format."""
    from reports.io import codec

    Agency.objects.get_or_create(name=into)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_report", str(path), "--agency", into, stdout=out)
    pk = int(out.getvalue().split()[-1])
    return codec.to_json(Report.objects.get(pk=pk).document())


def _figures(data: dict) -> dict:
    return {k: data[k] for k in ("active_disclosure", "applications", "review_litigation")}


def test_the_schema_is_at_its_stable_url_and_every_seed_satisfies_it(client):
    validator = _schema(client)
    for index in range(5):
        assert _errors(validator, load_seed(index)) == []
    broken = load_seed(1)
    broken["applications"]["new_received"]["natural_person"] = -1
    assert _errors(validator, broken)


def test_the_json_importer_refuses_what_the_schema_refuses_naming_the_key(db):
    ensure_seed_agencies()
    misspelt = load_seed(1)
    misspelt["applications"]["new_recieved"] = misspelt["applications"]["new_received"]
    with pytest.raises(ImportRefused) as refused:
        import_bytes(json.dumps(misspelt, ensure_ascii=False).encode(), "年报.json")
    messages = [f.message for f in refused.value.findings]
    assert messages == ["不符合交换格式：applications中有未知字段“new_recieved”。"]
    assert not Report.objects.exists()

    # A count written as text passes the codec but not the schema: refused too.
    as_text = load_seed(1)
    as_text["applications"]["new_received"]["total"] = "52"
    with pytest.raises(ImportRefused) as refused:
        import_bytes(json.dumps(as_text, ensure_ascii=False).encode(), "年报.json")
    assert "applications.new_received.total" in refused.value.findings[0].message
    assert "应为整数" in refused.value.findings[0].message
    assert not Report.objects.exists()


def test_the_api_lists_published_reports_with_filters_and_pages(client, seeds_published):
    make_report(
        Agency.objects.get(name="宁波市镇海区人民政府办公室"), 2024
    )  # a draft: never listed
    first = client.get(reverse("public:api_reports"), {"size": 2})
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json; charset=utf-8"
    seen = first.json()["results"]
    following = first.json()["next"]
    while following:
        page = client.get(following).json()
        seen += page["results"]
        following = page["next"]
    assert sorted(r["title"] for r in seen) == sorted(load_seed(i)["title"] for i in range(5))
    assert all(r["release_on"] == "2024-01-10" and r["release_is_signed"] for r in seen)

    region = Agency.objects.get(name="宁波市镇海区人民政府")
    only = client.get(reverse("public:api_reports"), {"region": region.pk, "year": 2023}).json()
    assert [r["agency"] for r in only["results"]] == [
        "宁波市镇海区人民政府办公室",
        "宁波市镇海区金融发展服务中心",
    ]
    assert only["next"] is None
    assert (
        client.get(reverse("public:api_reports"), {"agency": "硚口"}).json()["results"][0]["title"]
        == load_seed(3)["title"]
    )


@pytest.mark.parametrize("index", range(5))
def test_the_api_detail_is_valid_and_round_trips_through_import_report(
    client, seeds_published, tmp_path, index
):
    validator = _schema(client)
    report = seeds_published[index]
    response = client.get(reverse("public:api_report", args=[report.pk]))
    assert response.status_code == 200
    data = response.json()
    assert _errors(validator, data) == []
    assert data["meta"]["pdf"].endswith(f"/public/{report.pk}/report.pdf")
    seed = load_seed(index)
    assert _figures(data) == _figures(seed)

    again = _round_trip(tmp_path, data, "往返测试机关")
    assert _figures(again) == _figures(seed)
    assert again["sections"] == data["sections"]


def test_the_feed_lists_new_publications_and_revisions_newest_first(client, alice, bob):
    report = published_report(alice, bob)
    revision = report.start_revision(alice)
    revision.problems = "更正后的第五部分：公开内容不够丰富，下一步将加以改进。"
    revision.save()
    revision.submit(alice)
    revision.approve(bob)
    revision.publish(bob)

    response = client.get(reverse("public:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [f"{report.title}（第1次修订）", report.title]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links == [
        f"http://testserver/public/{revision.pk}/",
        f"http://testserver/public/{report.pk}/",
    ]
    assert "ETag" in response and "public" in response["Cache-Control"]


def test_a_regions_year_of_figures_comes_as_csv_with_chinese_headers(client, seeds_published):
    region = Agency.objects.get(name="宁波市镇海区人民政府")
    response = client.get(reverse("public:bulk_csv", args=[2023, region.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, lines = rows[0], rows[1:]
    assert header[:6] == ["机关", "年度", "标题", "修订版本", "发布日期", "日期说明"]
    assert "表三 一、本年新收政府信息公开申请数量 · 总计" in header
    assert [line[0] for line in lines] == [
        "宁波市镇海区人民政府办公室",
        "宁波市镇海区金融发展服务中心",
    ]
    line = dict(zip(header, lines[0], strict=True))
    seed = load_seed(1)
    assert line["机关"] == "宁波市镇海区人民政府办公室"
    assert line["表三 一、本年新收政府信息公开申请数量 · 总计"] == str(
        seed["applications"]["new_received"]["total"]
    )
    assert (line["发布日期"], line["日期说明"]) == ("2024-01-10", "落款日期")
    # 52 new applications in 2023, as SPEC §4 shows seed 001's.
    assert line["表三 一、本年新收政府信息公开申请数量 · 总计"] == "52"


def test_a_regions_year_of_figures_as_json_is_valid_and_each_report_imports(
    client, seeds_published, tmp_path
):
    validator = _schema(client)
    region = Agency.objects.get(name="宁波市镇海区人民政府")
    response = client.get(reverse("public:bulk_json", args=[2023, region.pk]))
    assert response.status_code == 200
    data = json.loads(_body(response))
    assert (data["region"], data["year"], len(data["reports"])) == ("宁波市镇海区人民政府", 2023, 2)
    for item, index in zip(data["reports"], (1, 0), strict=True):
        assert _errors(validator, item) == []
        into = f"批量往返测试机关{index}"
        assert _figures(_round_trip(tmp_path, item, into)) == _figures(load_seed(index))
    # A region that is no government with published reports is not found.
    office = Agency.objects.get(name="宁波市镇海区人民政府办公室")
    assert client.get(reverse("public:bulk_json", args=[2023, office.pk])).status_code == 404


def test_open_data_is_cacheable_and_an_anonymous_client_over_the_limit_gets_429(
    client, seeds_published, settings, mallory
):
    settings.PUBLIC_THROTTLE_WINDOW = 86400  # a fixed window: no boundary within the test
    first = client.get(reverse("public:api_reports"))
    assert "public" in first["Cache-Control"] and first["ETag"]
    assert (
        client.get(reverse("public:api_reports"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 304
    )

    settings.PUBLIC_THROTTLE_REQUESTS = 5
    statuses = [client.get(reverse("public:api_reports")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # two requests were made above
    assert client.get(SCHEMA_URL).status_code == 429
    client.force_login(mallory)  # a signed-in user is not throttled
    assert client.get(reverse("public:api_reports")).status_code == 200


def test_the_public_list_links_the_bulk_files_of_the_region_and_year_it_shows(
    client, seeds_published
):
    region = Agency.objects.get(name="宁波市镇海区人民政府")
    page = client.get(reverse("public:list"), {"region": region.pk, "year": 2023})
    html = page.getvalue().decode()
    assert f'href="{reverse("public:bulk_csv", args=[2023, region.pk])}"' in html
    assert f'href="{reverse("public:bulk_json", args=[2023, region.pk])}"' in html
    # Values that make no sense give the list without those links, never an error.
    odd = client.get(reverse("public:list"), {"region": "abc", "year": "x"})
    assert odd.status_code == 200 and 'id="bulk-csv"' not in odd.getvalue().decode()
