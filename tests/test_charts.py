"""Server-rendered SVG charts: an agency's outcomes year over year, and the oversight
office's status distribution and region figures by agency."""

import re

import pytest
from django.urls import reverse

from reports.models import Report
from reports.oversight import charts
from tests.helpers import import_seed


@pytest.fixture
def two_years(agencies):
    last = import_seed(1, complete=True)
    this = Report.objects.get(pk=last.pk)
    this.pk = None
    this.year = 2024
    this.app_granted_natural_person += 4
    this.app_new_received_natural_person += 4
    this.save()
    return last, this


def test_agency_chart_stacks_outcomes_per_year(two_years, agencies):
    chart = charts.agency_outcomes_by_year(agencies["office"].pk)
    assert [c.label for c in chart.columns] == ["2023年", "2024年"]
    first, second = chart.columns
    assert first.total == 50 and second.total == 54  # handled_total of the seed, +4 granted
    granted = next(s for s in first.segments if s.series == "（一）予以公开")
    assert granted.value == 20
    assert granted.height == pytest.approx(chart.plot_height * 20 / 80, abs=0.1)  # axis to 80


def test_nice_axis_maximum():
    assert [charts.nice_max(v) for v in (0, 3, 10, 11, 54, 230)] == [1, 5, 10, 20, 100, 500]


def test_axis_ticks_are_whole_round_numbers():
    assert [charts.tick_step(v) for v in (0, 2, 4, 5, 54, 100, 230)] == [1, 1, 1, 2, 20, 25, 100]


def test_agency_chart_page_draws_svg_without_any_script(client, alice, two_years, agencies):
    client.force_login(alice)
    response = client.get(reverse("oversight:agency", args=[agencies["office"].pk]))
    assert response.status_code == 200
    html = response.getvalue().decode()
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert svg.count("<rect") >= 6 and "2024年" in svg and "（一）予以公开" in svg
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_oversight_may_see_agencies_beneath_and_outsiders_get_404(
    client, carol, mallory, two_years, agencies
):
    client.force_login(carol)
    assert client.get(reverse("oversight:agency", args=[agencies["office"].pk])).status_code == 200
    assert client.get(reverse("oversight:agency", args=[agencies["weidong"].pk])).status_code == 404
    client.force_login(mallory)
    assert client.get(reverse("oversight:agency", args=[agencies["office"].pk])).status_code == 404


def test_agency_chart_refuses_post(client, alice, two_years, agencies):
    client.force_login(alice)
    url = reverse("oversight:agency", args=[agencies["office"].pk])
    assert client.post(url).status_code == 405
    assert Report.objects.filter(agency=agencies["office"]).count() == 2


def test_region_chart_ranks_agencies_by_new_applications(two_years, agencies):
    import_seed(0, complete=True)
    chart = charts.region_by_agency(agencies["zhenhai"].path, 2023)
    assert [(b.label, b.value) for b in chart.bars] == [("宁波市镇海区人民政府办公室", 52)]


def test_status_chart_has_one_bar_per_status():
    chart = charts.status_distribution([("draft", "草稿", 3), ("published", "已发布", 6)])
    # A 300-pixel plot whose axis runs to 10 (the round number above 6): 90 and 180 pixels.
    assert [(b.label, b.width) for b in chart.bars] == [("草稿", 90), ("已发布", 180)]
