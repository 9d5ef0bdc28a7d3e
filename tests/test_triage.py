"""Triage of findings: fingerprints, marks 确认问题 / 不是问题 that survive re-runs and
lapse when their cells change, folding, and who may mark."""

import pytest
from django.urls import reverse

from reports.models import FindingMark, StoredFinding, Verdict, counts, triage
from reports.rules import Finding
from tests.helpers import import_seed

R1 = "R1"


@pytest.fixture
def unbalanced(agencies):
    """Seed 001 (complete) with one more 自然人 application received than handled:
    R1 in the columns 自然人 and 总计, nothing else."""
    report = import_seed(1, complete=True)
    report.app_new_received_natural_person += 1  # 36 → 37
    report.save()
    return report


def r1_natural_person(report) -> StoredFinding:
    return next(
        f
        for f in StoredFinding.objects.filter(report=report, rule=R1)
        if ["applications", "new_received", "natural_person"] in f.cells
    )


def test_stored_findings_are_those_the_rules_find(unbalanced):
    stored = sorted(StoredFinding.objects.filter(report=unbalanced).values_list("rule", flat=True))
    assert stored == sorted(f.rule for f in unbalanced.findings()) == [R1, R1]


def test_a_fingerprint_is_the_rule_the_report_and_the_cells_not_the_message():
    one = Finding("R8", "warning", "正文为52件", cells=(("applications", "new_received", "total"),))
    other = Finding("R8", "warning", "正文为53件", cells=one.cells)
    elsewhere = Finding(
        "R8", "warning", "正文为52件", cells=(("applications", "granted", "total"),)
    )
    assert triage.fingerprints(7, [one]) == triage.fingerprints(7, [other])
    assert triage.fingerprints(7, [one]) != triage.fingerprints(8, [one])
    assert triage.fingerprints(7, [one]) != triage.fingerprints(7, [elsewhere])
    # Two findings on the same cells are told apart by their order.
    assert len(set(triage.fingerprints(7, [one, other]))) == 2


def test_a_mark_survives_a_re_run_while_its_cells_are_unchanged(unbalanced, bob):
    finding = r1_natural_person(unbalanced)
    triage.mark(bob, unbalanced, finding.fingerprint, Verdict.DISMISSED, "上年口径差异，已核实。")
    counts.refresh(unbalanced)  # a re-run of every rule
    unbalanced.other_matters = "本年度未收取信息处理费，特此说明。"  # not a cell of R1
    unbalanced.save()
    again = r1_natural_person(unbalanced)
    # Found again as it was: the same stored row, not rewritten, and still judged.
    assert again.pk == finding.pk and again.fingerprint == finding.fingerprint
    open_ = StoredFinding.objects.filter(report=unbalanced).filter(triage.status_filter("open"))
    dismissed = StoredFinding.objects.filter(triage.status_filter("dismissed"))
    assert list(dismissed) == [again]
    assert again not in open_ and open_.count() == 1  # the 总计 column is still open


def test_a_mark_lapses_when_a_cell_it_concerns_changes(unbalanced, bob):
    finding = r1_natural_person(unbalanced)
    triage.mark(bob, unbalanced, finding.fingerprint, Verdict.CONFIRMED, "确有错误，已通知填报人。")
    unbalanced.app_new_received_natural_person += 1  # still unbalanced, by 2 now
    unbalanced.save()
    again = r1_natural_person(unbalanced)
    assert again.fingerprint == finding.fingerprint and again.digest != finding.digest
    assert StoredFinding.objects.filter(triage.status_filter("confirmed")).count() == 0
    assert FindingMark.objects.get().digest == finding.digest  # kept, not deleted
    (judged,) = [j for j in triage.judge(unbalanced)[0] if j.fingerprint == finding.fingerprint]
    assert judged.lapsed and not judged.folded


def test_a_recount_rewrites_only_the_findings_that_changed_in_their_own_rows(unbalanced):
    before = {f.fingerprint: f for f in StoredFinding.objects.filter(report=unbalanced)}
    assert len(before) == 2  # R1 in 自然人 and in 总计
    unbalanced.app_new_received_natural_person += 1  # unbalanced by 2 now, not 1
    unbalanced.save()
    after = {f.fingerprint: f for f in StoredFinding.objects.filter(report=unbalanced)}
    # The same findings, each updated in its own row (its place in the region's list).
    assert after.keys() == before.keys()
    for p, f in after.items():
        assert f.pk == before[p].pk and f.message != before[p].message
    unbalanced.app_new_received_natural_person -= 2  # balanced: 36 received, 36 handled
    unbalanced.save()
    assert not StoredFinding.objects.filter(report=unbalanced, rule=R1).exists()
    unbalanced.app_new_received_commercial += 1  # another column unbalanced
    unbalanced.save()
    new = list(StoredFinding.objects.filter(report=unbalanced, rule=R1))
    # 商业企业 is new; 总计 is found again (its fingerprint is its cells), in a new row.
    assert len(new) == 2 and len({f.fingerprint for f in new} & before.keys()) == 1
    assert min(f.pk for f in new) > max(f.pk for f in after.values())


def test_a_recount_that_changes_many_findings_stores_exactly_what_the_rules_find(unbalanced):
    columns = ("commercial", "research", "social_welfare", "legal_service", "other")
    for column in columns:  # each column unbalanced by 1, then by 2
        setattr(
            unbalanced,
            f"app_new_received_{column}",
            1 + getattr(unbalanced, f"app_new_received_{column}"),
        )
    unbalanced.save()
    first = set(
        StoredFinding.objects.filter(report=unbalanced).values_list("fingerprint", "message")
    )
    assert len(first) == 7  # six columns and 总计
    for column in (*columns, "natural_person"):
        setattr(
            unbalanced,
            f"app_new_received_{column}",
            1 + getattr(unbalanced, f"app_new_received_{column}"),
        )
    unbalanced.save()
    stored = StoredFinding.objects.filter(report=unbalanced)
    found = unbalanced.findings()
    assert sorted(stored.values_list("message", flat=True)) == sorted(f.message for f in found)
    assert {p for p, _ in first} == set(stored.values_list("fingerprint", flat=True))
    assert not first & set(stored.values_list("fingerprint", "message"))  # every one changed


def test_a_reviewer_marks_a_finding_with_a_reason(client, unbalanced, bob):
    finding = r1_natural_person(unbalanced)
    client.force_login(bob)
    url = reverse("reports:mark_finding", args=[unbalanced.pk, finding.fingerprint])
    response = client.post(url, {"verdict": "dismissed", "reason": "口径差异"})
    assert response.status_code == 302
    mark = FindingMark.objects.get()
    assert (mark.verdict, mark.reason, mark.by, mark.rule) == ("dismissed", "口径差异", bob, R1)
    page = client.get(reverse("reports:detail", args=[unbalanced.pk])).content.decode()
    folded = page.split('id="folded-findings"')[1]
    assert "已标记“不是问题”的1项" in page and "口径差异" in folded


def test_an_oversight_user_above_the_agency_marks_a_finding(client, unbalanced, carol):
    finding = r1_natural_person(unbalanced)
    client.force_login(carol)
    url = reverse("reports:mark_finding", args=[unbalanced.pk, finding.fingerprint])
    response = client.post(url, {"verdict": "confirmed", "reason": "需整改", "next": "findings"})
    assert response.status_code == 302 and response["Location"] == reverse("oversight:findings")
    assert FindingMark.objects.get().by == carol


def test_a_mark_without_a_reason_is_refused_in_chinese_and_keeps_the_choice(
    client, unbalanced, bob
):
    finding = r1_natural_person(unbalanced)
    client.force_login(bob)
    url = reverse("reports:mark_finding", args=[unbalanced.pk, finding.fingerprint])
    response = client.post(url, {"verdict": "confirmed", "reason": "  "})
    assert response.status_code == 400
    assert "“理由”为必填项" in response.content.decode()
    assert not FindingMark.objects.exists()


def test_an_unknown_verdict_is_refused(client, unbalanced, bob):
    finding = r1_natural_person(unbalanced)
    client.force_login(bob)
    url = reverse("reports:mark_finding", args=[unbalanced.pk, finding.fingerprint])
    response = client.post(url, {"verdict": "maybe", "reason": "口径差异"})
    assert response.status_code == 400 and "请选择" in response.content.decode()
    assert not FindingMark.objects.exists()


def test_the_clerk_may_not_mark_and_an_outsider_does_not_find_the_report(
    client, unbalanced, alice, mallory
):
    url = reverse(
        "reports:mark_finding", args=[unbalanced.pk, r1_natural_person(unbalanced).fingerprint]
    )
    client.force_login(alice)
    assert client.post(url, {"verdict": "dismissed", "reason": "x"}).status_code == 403
    client.force_login(mallory)
    assert client.post(url, {"verdict": "dismissed", "reason": "x"}).status_code == 404
    assert not FindingMark.objects.exists()


def test_marking_is_post_only(client, unbalanced, bob):
    url = reverse(
        "reports:mark_finding", args=[unbalanced.pk, r1_natural_person(unbalanced).fingerprint]
    )
    client.force_login(bob)
    assert client.get(url).status_code == 405
    assert not FindingMark.objects.exists()


def test_a_finding_gone_since_the_page_was_shown_is_refused_in_chinese(client, unbalanced, bob):
    client.force_login(bob)
    url = reverse("reports:mark_finding", args=[unbalanced.pk, "0" * 40])
    response = client.post(url, {"verdict": "dismissed", "reason": "口径差异"})
    assert response.status_code == 400 and "已不存在" in response.content.decode()
