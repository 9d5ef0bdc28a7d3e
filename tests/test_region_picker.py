"""The choice of a region on the oversight home, roll-up and findings and on the public
list: a select while the regions are few, above thirty a text box searched by name,
whose matches are links (the first twenty), so a page is the same size for 35
sub-regions or 70."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Agency
from reports.models import regions as stored_regions
from tests.helpers import add_districts, nested_governments

HOME = reverse("oversight:home")
ROLLUP = reverse("oversight:rollup")
FINDINGS = reverse("oversight:findings")
PUBLIC = reverse("public:list")
# Each oversight page and the parameter that carries its region.
OVERSIGHT = [(HOME, "within"), (ROLLUP, "parent"), (FINDINGS, "within")]


@pytest.fixture
def public_regions(db) -> list[Agency]:
    return nested_governments(35)


@pytest.fixture
def many(agencies) -> list[Agency]:
    return add_districts(agencies["zhenhai"], 35)


def html_of(response) -> str:
    return response.getvalue().decode()


def match_links(html: str, param: str) -> list[str]:
    return re.findall(rf'<a href="\?[^"]*{param}=(\d+)[^"]*">', html)


# --- few sub-regions: the select of before ------------------------------------------


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_a_region_with_few_sub_regions_still_offers_them_in_a_select(
    client, carol, agencies, url, param
):
    bureau = Agency.objects.create(name="宁波市镇海区教育局", parent=agencies["zhenhai"])
    Agency.objects.create(name="宁波市镇海区教育局直属学校", parent=bureau)
    stored_regions.rebuild([2023], within=agencies["zhenhai"])
    client.force_login(carol)
    html = html_of(client.get(url, {"year": 2023}))
    assert f'<select class="form-select form-select-sm" name="{param}"' in html
    assert f'<option value="{bureau.pk}">宁波市镇海区教育局</option>' in html
    assert f'name="{param}_q"' not in html


# --- many sub-regions: a search by name ---------------------------------------------


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_above_thirty_sub_regions_a_text_box_replaces_the_select(client, carol, many, url, param):
    client.force_login(carol)
    response = client.get(url, {"year": 2023})
    assert response.status_code == 200
    html = html_of(response)
    assert f'name="{param}_q"' in html
    assert f'<select class="form-select form-select-sm" name="{param}"' not in html
    assert "镇海区第01街道办事处</option>" not in html
    label = "汇总范围名称" if param == "parent" else "下级区域名称"
    assert f">{label}</label>" in html


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_a_search_matching_several_lists_the_first_twenty_and_says_how_many(
    client, carol, many, url, param
):
    client.force_login(carol)
    html = html_of(client.get(url, {"year": 2023, f"{param}_q": "街道"}))
    assert "名称包含“街道”的" in html and "共35个，以下是前20个，请输入更完整的名称" in html
    # The first twenty in tree order, each a link choosing it.
    first = sorted(many, key=lambda d: d.path)[:20]
    assert match_links(html, param) == [str(d.pk) for d in first]


def test_a_search_matching_a_few_lists_them_all_to_choose_from(client, carol, many):
    client.force_login(carol)
    html = html_of(client.get(HOME, {"year": 2023, "within_q": "第1", "status": "not_started"}))
    assert "共10个，请选择" in html
    tens = sorted(many[9:19], key=lambda d: d.path)
    assert match_links(html, "within") == [str(d.pk) for d in tens]
    # Choosing keeps the other filters and drops the search.
    link = re.search(rf'<a href="\?([^"]*within={many[9].pk}[^"]*)">', html)
    assert link is not None
    assert "status=not_started" in link.group(1) and "within_q" not in link.group(1)


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_a_search_matching_one_region_chooses_it(client, carol, many, url, param):
    client.force_login(carol)
    response = client.get(url, {"year": 2023, f"{param}_q": "第07街道", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?year=2023&{param}={many[6].pk}"
    chosen = client.get(response["Location"])
    html = html_of(chosen)
    label = "汇总范围" if param == "parent" else "下级区域"
    assert f"当前{label}：<strong>镇海区第07街道办事处</strong>" in html
    assert f'<input type="hidden" name="{param}" value="{many[6].pk}">' in html
    # 清除: back to the whole region.
    assert re.search(r'<a href="\?year=2023" id="[a-z-]+-clear">清除</a>', html)


def test_the_chosen_region_narrows_the_home_table(client, carol, many):
    client.force_login(carol)
    response = client.get(client.get(HOME, {"year": 2023, "within_q": "第07"})["Location"])
    assert {a.name for a in response.context["page"]} == {
        "镇海区第07街道办事处",
        "镇海区第07街道党政办",
    }


def test_the_full_name_of_a_region_chooses_it_among_longer_names(client, carol, agencies, many):
    longer = Agency.objects.create(name="镇海区第07街道办事处东片", parent=many[6])
    Agency.objects.create(name="东片网格", parent=longer)
    stored_regions.rebuild([2023], within=agencies["zhenhai"])
    client.force_login(carol)
    response = client.get(HOME, {"year": 2023, "within_q": "镇海区第07街道办事处"})
    assert response["Location"] == f"{HOME}?year=2023&within={many[6].pk}"


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_a_search_matching_nothing_says_so_in_chinese(client, carol, many, url, param):
    client.force_login(carol)
    response = client.get(url, {"year": 2023, f"{param}_q": "北仑"})
    assert response.status_code == 200
    assert "没有名称包含“北仑”的" in html_of(response)


def test_a_search_does_not_offer_regions_outside_the_scope(client, carol, agencies, many):
    outside = Agency.objects.create(name="北仑区第01街道办事处", parent=agencies["weidong"])
    Agency.objects.create(name="北仑区第01街道党政办", parent=outside)
    client.force_login(carol)
    response = client.get(HOME, {"year": 2023, "within_q": "北仑区第01"})
    assert response.status_code == 200
    assert "没有名称包含“北仑区第01”的下级区域" in html_of(response)


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_a_region_outside_the_scope_is_not_found(client, carol, agencies, many, url, param):
    client.force_login(carol)
    assert client.get(url, {"year": 2023, param: agencies["weidong"].pk}).status_code == 404
    assert client.get(url, {"year": 2023, param: 999999}).status_code == 404


def test_an_oversight_office_may_search_and_others_may_not(client, carol, alice, mallory, many):
    client.force_login(carol)
    assert client.get(HOME, {"year": 2023, "within_q": "街道"}).status_code == 200
    for user in (alice, mallory):
        client.force_login(user)
        for url, param in OVERSIGHT:
            assert client.get(url, {f"{param}_q": "街道"}).status_code == 403
    client.logout()
    assert client.get(HOME, {"within_q": "街道"}).status_code == 302  # to the login


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_a_search_is_a_get_and_a_post_is_refused(client, carol, many, url, param):
    client.force_login(carol)
    assert client.post(url, {f"{param}_q": "街道"}).status_code == 405
    assert Agency.objects.filter(parent=carol.agency).count() == 2 + 35  # nothing written


@pytest.mark.parametrize(("url", "param"), OVERSIGHT)
def test_the_page_is_the_same_size_and_queries_for_35_or_70_sub_regions(
    client, carol, agencies, url, param
):
    zhenhai = agencies["zhenhai"]
    # A hundred departments first, so the pages' own lists (the home's 50 rows, the
    # roll-up's 100 missing agencies) are full at either size.
    with stored_regions.suspended():
        for i in range(100):
            Agency.objects.create(name=f"镇海区直属部门{i:03d}", parent=zhenhai)
    add_districts(zhenhai, 35)
    client.force_login(carol)

    def measure() -> list[tuple[int, int]]:
        found = []
        for params in ({"year": 2023}, {"year": 2023, f"{param}_q": "街道"}):
            with CaptureQueriesContext(connection) as counted:
                response = client.get(url, params)
            assert response.status_code == 200
            found.append((len(response.content), len(counted.captured_queries)))
        return found

    at_35 = measure()
    add_districts(zhenhai, 35, start=36)
    at_70 = measure()
    # The same queries; the same bytes but for the counts written on the page and
    # which names fill the lists (35 more options of a select would be ~2,000 bytes).
    assert [q for _, q in at_35] == [q for _, q in at_70]
    for (before, _), (after, _) in zip(at_35, at_70, strict=True):
        assert abs(after - before) <= before * 0.005, (at_35, at_70)


# --- the public list ------------------------------------------------------------------


def test_the_public_list_offers_a_search_above_thirty_regions(client, public_regions):
    html = html_of(client.get(PUBLIC))
    assert 'name="region_q"' in html and ">地区名称</label>" in html
    assert "第01县人民政府</option>" not in html
    html = html_of(client.get(PUBLIC, {"region_q": "县人民政府"}))
    assert "共35个，以下是前20个" in html
    first = sorted(public_regions, key=lambda r: r.path)[:20]
    assert match_links(html, "region") == [str(r.pk) for r in first]


def test_the_public_search_matching_one_region_chooses_it_and_lists_its_reports(
    client, public_regions
):
    response = client.get(PUBLIC, {"region_q": "第35县", "year": 2023})
    assert response.status_code == 302
    assert response["Location"] == f"{PUBLIC}?year=2023&region={public_regions[-1].pk}"
    listed = client.get(response["Location"])
    assert [r.agency.name for r in listed.context["reports"]] == ["第35县人民政府办公室"]
    assert "当前地区：<strong>第35县人民政府</strong>" in html_of(listed)


def test_the_public_search_says_so_when_nothing_matches(client, public_regions):
    response = client.get(PUBLIC, {"region_q": "镇海"})
    assert response.status_code == 200
    assert "没有名称包含“镇海”的地区" in html_of(response)


def test_the_public_list_ignores_an_unknown_region_and_refuses_a_post(client, public_regions):
    response = client.get(PUBLIC, {"region": "999999", "region_q": ""})
    assert response.status_code == 200
    assert [r.agency.name for r in response.context["reports"]] == ["第35县人民政府办公室"]
    assert client.post(PUBLIC, {"region_q": "第35县"}).status_code == 405
