"""The 图解 of the public site: a region's published figures for a year as server-drawn
charts beside last year's, with the same numbers as tables, and the index of the years
of every region. Expected values are seeds 000 and 001 (the two departments beneath
宁波市镇海区人民政府) summed by hand, and a 2022 report whose figures are set here."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from reports.models import Agency, Report, Status
from tests.helpers import import_seed, make_report

pytestmark = pytest.mark.django_db

# Seed 001's figures (seed 000 reports zeros everywhere).
APPLICANTS_2023 = ["36", "16", "0", "0", "0", "0", "52"]
OUTCOMES_2023 = ["20", "0", "1", "26", "1", "2", "50"]  # 一 to 六 by group, 总计 50

LAST_YEAR = {
    "app_new_received_natural_person": 7,
    "app_new_received_commercial": 3,
    "app_granted_natural_person": 5,
    "app_granted_commercial": 1,
    "app_unable_not_held_natural_person": 2,
    "rl_review_upheld": 2,
    "rl_litigation_direct_corrected": 1,
    "rl_litigation_after_review_upheld": 1,
}


@pytest.fixture
def region(seed_agencies) -> Agency:
    """宁波市镇海区人民政府 with seeds 000 and 001 published for 2023 and the office's
    2022 report (LAST_YEAR) published."""
    for index in (0, 1):
        report = import_seed(index, complete=True)
        Report.objects.filter(pk=report.pk).update(
            status=Status.PUBLISHED, signature_date=date(2024, 1, 10)
        )
    office = Agency.objects.get(name="宁波市镇海区人民政府办公室")
    last = make_report(office, 2022, figures=LAST_YEAR)
    Report.objects.filter(pk=last.pk).update(
        status=Status.PUBLISHED, published_on=date(2023, 1, 20)
    )
    return Agency.objects.get(name="宁波市镇海区人民政府")


def url(region: Agency, year: int = 2023) -> str:
    return reverse("public:region_year", args=[region.pk, year])


def table_rows(page: str, table_id: str) -> dict[str, list[str]]:
    """A figures table as {row heading: [cell texts]}."""
    tree = lxml_html.fromstring(page)
    (table,) = tree.xpath(f"//table[@id='{table_id}']")
    return {
        row.xpath("string(th)").strip(): [td.text_content().strip() for td in row.xpath("td")]
        for row in table.xpath("tbody/tr")
    }


def test_the_year_page_charts_the_regions_published_figures_beside_last_years(client, region):
    response = client.get(url(region))
    assert response.status_code == 200
    page = response.getvalue().decode()
    assert "宁波市镇海区人民政府2023年度政府信息公开工作情况图解" in page
    assert table_rows(page, "figures-applicants") == {
        "2022年": ["7", "3", "0", "0", "0", "0", "10"],
        "2023年": APPLICANTS_2023,
    }
    assert table_rows(page, "figures-outcomes") == {
        "2022年": ["6", "0", "0", "2", "0", "0", "8"],
        "2023年": OUTCOMES_2023,
    }
    assert table_rows(page, "figures-review") == {
        "2022年": ["2", "0", "0", "0", "2"],
        "2023年": ["0", "0", "0", "0", "0"],
    }
    # 行政诉讼 adds 未经复议直接起诉 and 复议后起诉.
    assert table_rows(page, "figures-litigation") == {
        "2022年": ["1", "1", "0", "0", "2"],
        "2023年": ["0", "0", "0", "0", "0"],
    }
    counts = re.sub(r"<[^>]+>", "", page.split('id="region-counts">')[1].split("</p>")[0])
    assert "2023年度2份，2022年度1份" in counts
    # The year's three tables in the official layout: seed 001's 行政规范性文件.
    tree = lxml_html.fromstring(page)
    cells = tree.xpath("//div[@id='region-tables']//table[@id='table-active_disclosure']//td")
    assert [c.text_content().strip() for c in cells][3:6] == ["9", "20", "116"]


def test_each_chart_is_svg_drawn_on_the_server_with_one_column_per_year(client, region):
    page = client.get(url(region)).getvalue().decode()
    svgs = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    assert len(svgs) == 4
    applicants = svgs[0]
    assert "2022年" in applicants and "2023年" in applicants
    assert "2023年 自然人：36" in applicants and "2022年 商业企业：3" in applicants
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_a_draft_and_a_correction_under_way_never_count(client, region, carol):
    justice = Agency.objects.create(name="宁波市镇海区司法局", parent=region)
    make_report(justice, 2023, figures={"app_new_received_natural_person": 777})
    office = Agency.objects.get(name="宁波市镇海区人民政府办公室")
    published = Report.objects.get(agency=office, year=2023)
    correction = published.send_for_correction(carol, "请核对予以公开的数量。")
    correction.app_granted_natural_person = 920
    correction.app_new_received_natural_person = 936
    correction.save()

    page = client.get(url(region)).getvalue().decode()
    assert table_rows(page, "figures-applicants")["2023年"] == APPLICANTS_2023
    assert table_rows(page, "figures-outcomes")["2023年"] == OUTCOMES_2023
    for unpublished in ("777", "920", "936", "司法局"):
        assert unpublished not in page


def test_the_index_lists_every_region_with_its_years_and_links_each(client, region):
    page = client.get(reverse("public:regions")).getvalue().decode()
    tree = lxml_html.fromstring(page)
    links = tree.xpath("//table[@id='region-index']//a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("2023年", url(region, 2023)),
        ("2022年", url(region, 2022)),
    ]
    assert "宁波市镇海区人民政府" in page


def _published_region(name: str, year: int) -> Agency:
    government = Agency.objects.create(name=f"{name}人民政府", is_government=True)
    bureau = Agency.objects.create(name=f"{name}教育局", parent=government)
    report = make_report(bureau, year)
    Report.objects.filter(pk=report.pk).update(status=Status.PUBLISHED)
    return government


def test_the_index_goes_page_by_page_in_tree_order_with_each_regions_own_years(region):
    from reports.models import catalogue

    other = _published_region("卫西区", 2021)
    first = catalogue.region_page(None, size=1)
    assert [(r.name, years) for r, years in first.regions] == [
        ("宁波市镇海区人民政府", [2023, 2022])
    ]
    second = catalogue.region_page(first.next_after, size=1)
    assert [(r.name, years) for r, years in second.regions] == [("卫西区人民政府", [2021])]
    assert second.next_after is None and other.pk == second.regions[0][0].pk


def test_the_index_costs_the_same_queries_for_one_region_or_many(client, region):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("public:regions"))
    for n in range(8):
        _published_region(f"测试{n}区", 2020 + n % 3)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("public:regions")).getvalue().decode()
    assert "测试7区人民政府" in page
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_report_page_and_the_searched_list_link_the_regions_year_page(client, region):
    seed = Report.objects.get(agency__name="宁波市镇海区人民政府办公室", year=2023)
    detail = client.get(reverse("public:detail", args=[seed.pk])).getvalue().decode()
    assert f'href="{url(region)}"' in detail
    listing = client.get(reverse("public:list"), {"region": region.pk, "year": 2023})
    assert f'href="{url(region)}"' in listing.getvalue().decode()
    assert f'href="{reverse("public:regions")}"' in listing.getvalue().decode()


def test_a_year_without_published_reports_or_an_agency_that_is_no_region_is_not_found(
    client, region
):
    assert client.get(url(region, 2030)).status_code == 404
    office = Agency.objects.get(name="宁波市镇海区人民政府办公室")
    assert client.get(url(office)).status_code == 404
    lone = Agency.objects.create(name="某县人民政府", is_government=True)
    make_report(lone, 2023, figures={"app_new_received_natural_person": 5})  # a draft only
    assert client.get(url(lone)).status_code == 404


def test_an_outsider_signed_in_sees_the_same_public_figures_in_a_private_copy(
    client, region, mallory
):
    client.force_login(mallory)
    response = client.get(url(region))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    page = response.getvalue().decode()
    assert table_rows(page, "figures-applicants")["2023年"] == APPLICANTS_2023


def test_the_year_page_and_the_index_refuse_post(client, region, mallory):
    before = Report.objects.count()
    assert client.post(url(region)).status_code == 405
    assert client.post(reverse("public:regions")).status_code == 405
    client.force_login(mallory)
    assert client.post(url(region)).status_code == 405
    assert Report.objects.count() == before


def test_the_year_page_is_cacheable_until_a_report_of_either_year_changes(client, region):
    first = client.get(url(region))
    assert "public" in first["Cache-Control"] and first["ETag"]
    assert client.get(url(region), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Last year's report is on the page too: its change makes the copy stale.
    last = Report.objects.get(year=2022)
    last.app_granted_natural_person = 6
    last.app_unable_not_held_natural_person = 1
    last.save()
    again = client.get(url(region), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert table_rows(again.getvalue().decode(), "figures-outcomes")["2022年"][0] == "7"


def test_an_anonymous_client_over_the_limit_gets_429_on_the_year_page(client, region, settings):
    settings.PUBLIC_THROTTLE_REQUESTS = 2
    settings.PUBLIC_THROTTLE_WINDOW = 86400  # a fixed window: no boundary within the test
    statuses = [client.get(url(region)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(reverse("public:regions")).status_code == 429


def test_the_year_page_costs_a_fixed_number_of_queries(
    client, region, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert client.get(url(region)).status_code == 200
