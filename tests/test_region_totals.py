"""Each region's stored totals (reports.models.regions) stay equal to summing the
current revisions of its subtree: after a save, a publication, a revision and a
deletion, and after agencies are added or moved."""

import pytest
from django.core.management import call_command

from reports.models import Agency, RegionTotal, Report, regions
from reports.oversight import rollup
from tests.helpers import import_seed, load_seed, make_report

CELL = "app_new_received_natural_person"
YEAR = 2023


@pytest.fixture
def filled(tree):
    """Three drafts of 2023: the office's seed report, 7 and 11 new applications from
    natural persons at 金融发展服务中心 and 教育局."""
    office = import_seed(1, complete=True)
    finance = make_report(tree["finance"], YEAR, figures={CELL: 7})
    education = make_report(tree["education"], YEAR, figures={CELL: 11})
    return {"office": office, "finance": finance, "education": education}


SEED_RECEIVED = load_seed(1)["applications"]["new_received"]["natural_person"]


def stored(agency: Agency) -> RegionTotal:
    return RegionTotal.objects.get(agency=agency, year=YEAR)


def summed(agency: Agency) -> regions.Totals:
    """The same totals summed from the current revisions, without the stored rows."""
    subtree = agency.subtree()
    return regions.live(Report.objects.current().filter(agency__in=subtree), subtree, YEAR)


def assert_equal_to_the_reports_of(year: int, *agencies: Agency) -> None:
    for agency in agencies:
        subtree = agency.subtree()
        summed = regions.live(Report.objects.current().filter(agency__in=subtree), subtree, year)
        assert RegionTotal.objects.get(agency=agency, year=year).totals() == summed, agency.name


def assert_equal_to_the_reports(*agencies: Agency) -> None:
    for agency in agencies:
        assert stored(agency).totals() == summed(agency), agency.name


def test_saved_reports_are_summed_into_every_region_above_them(tree, filled):
    assert stored(tree["zhenhai"]).sums[CELL] == SEED_RECEIVED + 7
    assert stored(tree["city"]).sums[CELL] == SEED_RECEIVED + 7 + 11
    assert stored(tree["zhenhai"]).reports == 2
    assert stored(tree["city"]).reports == 3
    assert stored(tree["city"]).by_progress["draft"] == 3
    assert stored(tree["city"]).kinds["government"]["agencies"] == 2  # city, 镇海区
    assert stored(tree["city"]).kinds["department"]["agencies"] == 3
    assert not RegionTotal.objects.filter(agency=tree["finance"]).exists()  # not a region
    assert_equal_to_the_reports(tree["zhenhai"], tree["city"])


def test_a_publication_moves_the_regions_progress_and_lateness(tree, filled, alice, bob):
    office = filled["office"]
    office.submit(alice)
    office.approve(bob)
    office.publish(bob)
    city = stored(tree["city"])
    assert (city.by_progress["published"], city.by_progress["draft"]) == (1, 2)
    # Published today, long after 31 January 2024.
    assert city.kinds["department"]["late"] == 1
    assert_equal_to_the_reports(tree["zhenhai"], tree["city"])


def test_a_revision_replaces_the_published_figures_it_corrects(tree, filled, alice, bob):
    office = filled["office"]
    office.submit(alice)
    office.approve(bob)
    office.publish(bob)
    revision = office.start_revision(alice)
    setattr(revision, CELL, SEED_RECEIVED + 100)
    revision.save()
    zhenhai = stored(tree["zhenhai"])
    assert zhenhai.sums[CELL] == SEED_RECEIVED + 100 + 7  # the old revision not counted
    assert zhenhai.reports == 2
    assert (zhenhai.by_progress["revising"], zhenhai.by_progress["published"]) == (1, 0)
    assert stored(tree["city"]).sums[CELL] == SEED_RECEIVED + 100 + 7 + 11
    assert_equal_to_the_reports(tree["zhenhai"], tree["city"])


def test_a_deleted_report_leaves_the_totals_of_every_region_above_it(tree, filled):
    filled["finance"].delete()
    assert stored(tree["zhenhai"]).sums[CELL] == SEED_RECEIVED
    assert stored(tree["zhenhai"]).reports == 1
    assert stored(tree["city"]).sums[CELL] == SEED_RECEIVED + 11
    assert_equal_to_the_reports(tree["zhenhai"], tree["city"])


def test_a_draft_correction_deleted_hands_its_figures_back_to_the_published_one(
    tree, filled, alice, bob
):
    office = filled["office"]
    office.submit(alice)
    office.approve(bob)
    office.publish(bob)
    revision = office.start_revision(alice)
    setattr(revision, CELL, SEED_RECEIVED + 100)
    revision.save()
    revision.delete()  # as the admin deletes a draft correction
    zhenhai = stored(tree["zhenhai"])
    assert zhenhai.sums[CELL] == SEED_RECEIVED + 7  # the published version counts again
    assert (zhenhai.by_progress["revising"], zhenhai.by_progress["published"]) == (0, 1)
    assert stored(tree["city"]).sums[CELL] == SEED_RECEIVED + 7 + 11
    assert_equal_to_the_reports(tree["zhenhai"], tree["city"])


def test_a_new_or_moved_agency_is_counted_where_it_now_is(tree, filled):
    added = Agency.objects.create(name="宁波市镇海区教育局", parent=tree["zhenhai"])
    assert stored(tree["zhenhai"]).kinds["department"]["agencies"] == 3
    education = tree["education"]
    education.parent = tree["zhenhai"]
    education.save()
    assert stored(tree["zhenhai"]).sums[CELL] == SEED_RECEIVED + 7 + 11
    assert stored(tree["zhenhai"]).kinds["department"]["agencies"] == 4
    assert stored(tree["city"]).sums[CELL] == SEED_RECEIVED + 7 + 11
    assert added.pk and stored(tree["city"]).kinds["department"]["agencies"] == 4
    assert_equal_to_the_reports(tree["zhenhai"], tree["city"])


def test_the_rebuild_command_gives_the_totals_kept_on_every_save(tree, filled):
    before = {(r.agency_id, r.year): r.totals() for r in RegionTotal.objects.all()}
    RegionTotal.objects.all().delete()
    call_command("refresh_region_totals")
    after = {(r.agency_id, r.year): r.totals() for r in RegionTotal.objects.all()}
    assert after == before and len(after) == 2


def test_the_rollup_reads_the_stored_totals_in_one_query(tree, filled, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = regions.totals_of(tree["city"], YEAR)
    result = rollup.compute(YEAR, tree["city"])
    assert result.figures["applications"]["new_received"]["natural_person"] == totals.sums[CELL]
    assert result.reports == 3 and result.missing_count == 2
    assert result.missing == ["宁波市人民政府", "宁波市镇海区人民政府"]


def test_a_years_first_report_counts_the_agencies_of_regions_with_none_yet(tree):
    yinzhou = Agency.objects.create(
        name="宁波市鄞州区人民政府", is_government=True, parent=tree["city"]
    )
    Agency.objects.create(name="宁波市鄞州区教育局", parent=yinzhou)
    make_report(tree["office"], 2025)  # nothing of 2025 in the tree before
    city = RegionTotal.objects.get(agency=tree["city"], year=2025)
    # 宁波市人民政府, 镇海区 and 鄞州区; 教育局, the office, 金融发展服务中心, 鄞州区教育局.
    assert city.kinds["government"]["agencies"] == 3
    assert city.kinds["department"]["agencies"] == 4
    assert RegionTotal.objects.get(agency=yinzhou, year=2025).reports == 0
    assert_equal_to_the_reports_of(2025, tree["city"], tree["zhenhai"], yinzhou)
