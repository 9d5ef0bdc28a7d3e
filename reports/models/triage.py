"""Triage of findings: what the rules found on each report, stored, and a person's mark
on each finding (确认问题 / 不是问题, with a reason).

An oversight office with hundreds of departments works through findings instead of
re-reading them on every run, so a finding needs an identity that survives a re-run:
its *fingerprint* is the rule, the report and the cells (or the section) it concerns,
never its message, which quotes the figures. A mark also stores a *digest* of what
those cells (or that section's text) held when it was made: while they hold the same,
the mark stands; once a clerk changes them the mark lapses and the finding is open
again, because the person judged other figures.

The findings of every report are stored (``StoredFinding``) whenever its counts are
refreshed (``reports.models.counts``), so the oversight page of 3,000 agencies reads
them in a few queries instead of running the rules per report.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q

from reports import rules
from reports.models import access
from reports.models.agency import User
from reports.models.report import Report
from reports.rules import Finding
from reports.rules.registry import SEVERITY_ORDER
from reports.spec import figures as fig
from reports.spec import schema


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", "确认问题"
    DISMISSED = "dismissed", "不是问题"


class TriageError(Exception):
    """A mark that cannot be made, with a Chinese message naming the field."""


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def fingerprints(report_id: int, findings: Iterable[Finding]) -> list[str]:
    """The fingerprint of each finding, in order. Two findings of one rule on the same
    cells (R8 quoting two different numbers for one cell) are told apart by their
    order among their likes, which re-runs keep."""
    seen: Counter[str] = Counter()
    result = []
    for f in findings:
        seen[f.key] += 1
        result.append(_hash(f"{report_id}|{f.key}|{seen[f.key]}"))
    return result


def digest(doc: dict, finding: Finding) -> str:
    """What the cells, or the section, of ``finding`` hold in ``doc``."""
    if finding.cells:
        values = [fig.get(doc, schema.CELL_BY_ADDRESS[a]) for a in finding.cells]
        return _hash(json.dumps([str(v) for v in values]))
    sections = doc.get("sections") or {}
    key = finding.section or ""
    if key == "info":  # R13: the publication date
        value: Any = str(doc.get("published_on"))
    elif key == "general":
        value = [[s.get("heading"), s.get("body")] for s in sections.get("general") or []]
    else:
        value = sections.get(key)
    return _hash(json.dumps(value, ensure_ascii=False, default=str))


def _rule_number(rule_id: str) -> int:
    return int(rule_id[1:]) if rule_id[1:].isdigit() else 0


class Triage(models.TextChoices):
    """Where a stored finding stands: nobody judged it, or the judgement lapsed (open),
    or a standing mark's verdict."""

    OPEN = "open", "待处理"
    CONFIRMED = Verdict.CONFIRMED.value, Verdict.CONFIRMED.label
    DISMISSED = Verdict.DISMISSED.value, Verdict.DISMISSED.label


# A finding's place in a region's list, worst first: its rule's severity in the
# registry, then the rule's number. Stored, so that the list of a province's 180,000
# findings is walked in an index (``stored_finding_list``) instead of sorted.
RULE_RANK = {r.id: SEVERITY_ORDER[r.severity] * 100 + _rule_number(r.id) for r in rules.RULES}
UNKNOWN_RANK = 999  # a rule no longer in the registry: last


def rank_of(rule_id: str) -> int:
    return RULE_RANK.get(rule_id, UNKNOWN_RANK)


class StoredFinding(models.Model):
    """A finding of the rules on a report as it was last counted, with where its
    triage stands (kept by ``store`` and ``mark``: a mark lapses only when the
    findings are stored again with other digests)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="stored_findings")
    fingerprint = models.CharField("指纹", max_length=40)
    rule = models.CharField("规则", max_length=8)
    severity = models.CharField("级别", max_length=10)
    message = models.TextField("问题")
    cells = models.JSONField("单元格", default=list)
    section = models.CharField("部分", max_length=40, blank=True)
    digest = models.CharField("内容摘要", max_length=40)
    triage = models.CharField(
        "处理状态", max_length=10, choices=Triage.choices, default=Triage.OPEN
    )
    rank = models.PositiveSmallIntegerField("排序", default=UNKNOWN_RANK)

    class Meta:
        verbose_name = "检查发现"
        verbose_name_plural = "检查发现"
        indexes = [
            models.Index(fields=["report", "fingerprint"], name="stored_finding_print"),
            # The region's list in its order, by triage status and for 全部.
            models.Index(fields=["triage", "rank", "report", "id"], name="stored_finding_list"),
            models.Index(fields=["rank", "report", "id"], name="stored_finding_list_all"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.message}"

    @property
    def severity_label(self) -> str:
        from reports.rules import SEVERITY_LABELS

        return SEVERITY_LABELS.get(self.severity, self.severity)


def _rows(
    report: Report, doc: dict, findings: list[Finding], marks: dict[str, tuple[str, str]]
) -> Iterable[StoredFinding]:
    return stored_rows(report.pk, findings, [digest(doc, f) for f in findings], marks)


def stored_rows(
    report_id: int,
    findings: list[Finding],
    digests: list[str],
    marks: dict[str, tuple[str, str]] | None = None,
) -> Iterator[StoredFinding]:
    """The rows of ``findings`` of a report, ``digests`` being what each one's cells
    hold (``digest``): generated regions compute them once for many reports.
    ``marks``: the report's marks, fingerprint to (verdict, digest)."""
    prints = fingerprints(report_id, findings)
    marks = marks or {}
    for f, p, d in zip(findings, prints, digests, strict=True):
        verdict, judged = marks.get(p, ("", ""))
        yield StoredFinding(
            report_id=report_id,
            fingerprint=p,
            rule=f.rule,
            severity=f.severity,
            message=f.message,
            cells=[list(a) for a in f.cells],
            section=f.section or "",
            digest=d,
            triage=verdict if verdict and judged == d else Triage.OPEN,
            rank=rank_of(f.rule),
        )


def _marks(report_id: int) -> dict[str, tuple[str, str]]:
    rows = FindingMark.objects.filter(report_id=report_id).values_list(
        "fingerprint", "verdict", "digest"
    )
    return {p: (v, d) for p, v, d in rows}


# A stored finding as the regions' totals count it.
Counted = tuple[str, str, str]
# What ``store`` compares: a report's findings are rewritten only when one of them differs.
_STORED_COLUMNS = (
    *("fingerprint", "rule", "severity", "message", "cells", "section", "digest"),
    *("triage", "rank"),
)


# Up to so many changed findings are each updated in place (the few a save of a cell
# changes); more are deleted and added again. One ``bulk_update`` of all of them took
# Django longer to compile (a CASE per column) than the database to run.
_UPDATED_IN_PLACE = 4


def store(
    report: Report, doc: dict, findings: list[Finding]
) -> tuple[list[Counted], list[Counted]]:
    """Make the stored findings of ``report`` those of ``findings`` of ``doc``, each
    with its mark's verdict while the mark stands; the (rule, severity, triage) of the
    rows there before, read locked (a mark committed meanwhile is in them), and of the
    new ones.

    Only what differs is written: a finding whose fingerprint was stored keeps its row
    (and its place in the region's list) and has the columns that changed updated;
    those gone are deleted, new ones added. A save of one cell changes one or two
    findings of the dozens a draft may have (a full rewrite cost the save 2 ms)."""
    with transaction.atomic(savepoint=False):
        stored = StoredFinding.objects.filter(report_id=report.pk)
        old = list(stored.select_for_update().order_by("pk").values_list("pk", *_STORED_COLUMNS))
        rows = list(_rows(report, doc, findings, _marks(report.pk)))
        new = [tuple(getattr(r, c) for c in _STORED_COLUMNS) for r in rows]
        kept = {row[1]: row for row in old}  # by fingerprint, unique within a report
        changed: dict[int, dict[str, Any]] = {}  # the columns that differ, by row
        added = []
        for r, values in zip(rows, new, strict=True):
            before = kept.pop(r.fingerprint, None)
            if before is None:
                added.append(r)
            elif before[1:] != values:
                changed[before[0]] = {
                    c: v
                    for c, v, was in zip(_STORED_COLUMNS, values, before[1:], strict=True)
                    if v != was
                }
                r.pk = before[0]
        gone = [row[0] for row in kept.values()]
        if len(changed) > _UPDATED_IN_PLACE:
            # An import that changed every figure: the rows again, in two queries.
            gone += list(changed)
            added += [r for r in rows if r.pk in changed]
            changed = {}
        if gone:
            stored.filter(pk__in=gone).delete()
        for pk, columns in changed.items():
            StoredFinding.objects.filter(pk=pk).update(**columns)
        if added:
            for r in added:
                r.pk = None
            StoredFinding.objects.bulk_create(added)
    return [(r[2], r[3], r[8]) for r in old], [(r[1], r[2], r[7]) for r in new]


def bulk_store(items: Iterable[tuple[Report, dict, list[Finding]]], batch_size: int = 2000) -> None:
    """Store the findings of new reports that have none yet (generated regions)."""
    StoredFinding.objects.bulk_create(
        (row for report, doc, findings in items for row in _rows(report, doc, findings, {})),
        batch_size=batch_size,
    )


class FindingMark(models.Model):
    """A reviewer's or an oversight user's judgement of one finding of one report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="finding_marks")
    fingerprint = models.CharField("指纹", max_length=40)
    rule = models.CharField("规则", max_length=8)
    verdict = models.CharField("判断", max_length=10, choices=Verdict.choices)
    reason = models.TextField("理由")
    digest = models.CharField("标记时的内容摘要", max_length=40)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("标记时间", auto_now=True)

    class Meta:
        verbose_name = "检查发现标记"
        verbose_name_plural = "检查发现标记"
        constraints = [
            models.UniqueConstraint(fields=["report", "fingerprint"], name="one_mark_per_finding")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.get_verdict_display()}"

    def stands_for(self, current_digest: str) -> bool:
        """Whether the mark still applies: the cells it judged hold what they held."""
        return self.digest == current_digest


def mark(user: Any, report: Report, fingerprint: str, verdict: str, reason: str) -> FindingMark:
    """Mark the stored finding ``fingerprint`` of ``report``; the reason is required."""
    if not access.can_triage(user, report):
        raise TriageError("只有本机关的审核人或上级主管部门可以标记检查发现。")
    if verdict not in Verdict.values:
        raise TriageError("请选择“确认问题”或“不是问题”。")
    reason = (reason or "").strip()
    if not reason:
        raise TriageError("“理由”为必填项，请说明为何确认或排除这一问题。")
    with transaction.atomic():
        # The report's row first, as a save locks it before its findings: a mark that
        # locked the finding first would wait for the saving clerk's row (the mark's
        # foreign key) while the save waited for the finding: a deadlock. So a mark
        # waits for a save to end, and then finds its finding or that it went.
        Report.objects.select_for_update().filter(pk=report.pk).values_list("pk").first()
        finding = (
            StoredFinding.objects.select_for_update()
            .filter(report_id=report.pk, fingerprint=fingerprint)
            .first()
        )
        if finding is None:
            raise TriageError("该检查发现已不存在（报告可能已被修改），请刷新页面。")
        result, _ = FindingMark.objects.update_or_create(
            report=report,
            fingerprint=fingerprint,
            defaults={
                "rule": finding.rule,
                "verdict": verdict,
                "reason": reason,
                "digest": finding.digest,
                "by": user,
            },
        )
        if finding.triage != verdict:
            StoredFinding.objects.filter(pk=finding.pk).update(triage=verdict)
            # Imported here: the regions' totals import this module's models.
            from reports.models import regions

            regions.note(report)  # the region's counts by triage status
    return result


# --- reading findings with their marks --------------------------------------------


def findings_of(reports: models.QuerySet[Report]) -> models.QuerySet[StoredFinding]:
    """The stored findings of ``reports``, each with its ``triage``."""
    return StoredFinding.objects.filter(report__in=reports)


def status_filter(status: str) -> Q:
    """Stored findings of a triage status: "open" (nobody marked it, or the mark
    lapsed: what is left to work through), "confirmed" or "dismissed"."""
    return Q(triage=status)


@dataclass
class Judged:
    """A finding of a live run of the rules with its fingerprint and its mark, if any."""

    finding: Finding
    fingerprint: str
    mark: FindingMark | None
    standing: bool  # the mark applies to what the cells hold now

    @property
    def folded(self) -> bool:
        """Dismissed findings are folded away on the page, never deleted."""
        return bool(self.mark and self.standing and self.mark.verdict == Verdict.DISMISSED)

    @property
    def lapsed(self) -> bool:
        return bool(self.mark and not self.standing)


def marked() -> Exists:
    """Whether a report (the outer query's row) has any triage mark: a page that judges
    its findings asks for the marks only then."""
    return Exists(FindingMark.objects.filter(report=OuterRef("pk")))


def judge(report: Report) -> tuple[list[Judged], rules.Progress]:
    """The rules run on ``report`` now, each finding with its mark, and the progress
    of ``report.assess()``: one query more than that, none when the report was read
    with ``marked()`` false."""
    doc, findings, progress = report.assessment()
    marks = {}
    if getattr(report, "marked", True):  # read without the flag: ask
        rows = FindingMark.objects.filter(report=report).select_related("by")
        marks = {m.fingerprint: m for m in rows}
    result = []
    for f, p in zip(findings, fingerprints(report.pk, findings), strict=True):
        m = marks.get(p)
        result.append(Judged(f, p, m, bool(m and m.stands_for(digest(doc, f)))))
    return result, progress
