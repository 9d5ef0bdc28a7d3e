"""Regions of 150,000 agencies: every agency's reports copied from a few hundred
prototypes, whose findings the rules have computed once.

Running the rules costs milliseconds per report, and R16 compares every report with
each of its siblings, so ``generate._year`` takes minutes for 3,000 agencies and would
take hours for 150,000. Here a *chain* is the reports of one imagined agency over the
years, each following its last year exactly as ``generate._year`` builds them (carried
over, in force, text). The rules run once per report of a chain, and every agency of
the region takes one chain: its reports are the chain's documents under its own name,
with the chain's counts and stored findings.

What makes that exact: every rule but R16 reads only the report and the same agency's
report of the year before, both the chain's own; no rule reads the agency's name
except R16, which masks it. R16 compares a report with its siblings': siblings always
take different chains, and a chain is dropped when R16 finds any of its reports copied
from any other chain's report of the same year, so no set of siblings can make R16
fire. ``tests/test_generate_demo_data.py`` runs the rules on a generated region and
compares them with what is stored.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reports.demo import generate
from reports.models import Agency, GeneralSection, Report, StoredFinding, triage
from reports.rules import Context, Finding, check, progress_of
from reports.rules.counts import COUNT_FIELDS, counts
from reports.spec import schema

# How many agencies are written at once (their reports, sub-sections and findings).
BATCH = 2000
# What a report of a chain gives each agency's: all but the agency, the title and the
# name in the closing block.
VALUES = (
    "year",
    "status",
    "signature_date",
    "published_on",
    *(c.field for c in schema.STORED_CELLS),
    *schema.NARRATIVE_KEYS,
    *COUNT_FIELDS,
)


@dataclass
class Prototype:
    """One report of a chain: the model's values but the agency's own, its
    sub-sections, and its findings with what each finding's cells held (the digest)."""

    values: dict
    general: list[dict]
    findings: list[Finding]
    digests: list[str]


# A chain's reports by year; None where that year's report was never started.
Chain = dict[int, Prototype | None]


def _siblings_by_kind(agencies: list[Agency]) -> dict[bool, int]:
    """The most children of one kind (government or not) any agency has: how many
    different chains of that kind siblings need."""
    groups: dict[tuple[int | None, bool], int] = {}
    for a in agencies:
        key = (a.parent_id, a.is_government)
        groups[key] = groups.get(key, 0) + 1
    most = {False: 0, True: 0}
    for (_, kind), n in groups.items():
        most[kind] = max(most[kind], n)
    return most


def _candidate(
    rng: random.Random, name: str, is_government: bool, first: int, last: int
) -> tuple[dict[int, dict | None], dict[int, str]]:
    agency = Agency(name=name, is_government=is_government)
    docs: dict[int, dict | None] = {}
    statuses: dict[int, str] = {}
    previous = None
    for year in range(first, last + 1):
        status = generate.Status.PUBLISHED
        if year == last:
            status = rng.choices(*zip(*generate.LAST_YEAR_STATUSES, strict=True))[0]
            if status is None:
                docs[year] = None
                continue
        doc, previous = generate.document(rng, agency, year, status, previous)
        docs[year], statuses[year] = doc, status
    return docs, statuses


def chains(
    rng: random.Random, needed: dict[bool, int], first: int, last: int
) -> dict[bool, list[Chain]]:
    """At least ``needed[kind]`` chains of each kind, none of whose text R16 finds
    copied from another's."""
    margin = 1.2
    while True:
        candidates = [
            (kind, *_candidate(rng, f"原型机关{int(kind)}-{i}", kind, first, last))
            for kind in (False, True)
            for i in range(int(needed[kind] * margin) + 5)
        ]
        found: list[dict[int, list[Finding]]] = [{} for _ in candidates]
        for year in range(first, last + 1):
            peers = tuple(d for _, docs, _ in candidates if (d := docs[year]) is not None)
            for i, (_, docs, _) in enumerate(candidates):
                doc = docs[year]
                if doc is not None:
                    previous = docs.get(year - 1)
                    found[i][year] = check(doc, Context(previous=previous, peers=peers))
        result: dict[bool, list[Chain]] = {False: [], True: []}
        for (kind, docs, statuses), findings in zip(candidates, found, strict=True):
            if any(f.rule == "R16" for fs in findings.values() for f in fs):
                continue
            chain: Chain = {}
            for year, doc in docs.items():
                if doc is None:
                    chain[year] = None
                    continue
                chain[year] = _prototype(doc, statuses[year], findings[year])
            result[kind].append(chain)
        if all(len(result[kind]) >= needed[kind] for kind in result):
            return result
        margin *= 1.5


def _prototype(doc: dict, status: str, findings: list[Finding]) -> Prototype:
    report = generate.report_of(Agency(name=doc["agency"]), doc, status)
    for name, value in counts(findings, progress_of(doc, findings)).items():
        setattr(report, name, value)
    values = {name: getattr(report, name) for name in VALUES}
    return Prototype(
        values=values,
        general=doc["sections"]["general"],
        findings=findings,
        digests=[triage.digest(doc, f) for f in findings],
    )


def assign(agencies: list[Agency], available: dict[bool, int], rng: random.Random) -> list[int]:
    """The chain of each agency: siblings of a kind take consecutive chains from a
    random start, so no two take the same one and regions differ."""
    starts: dict[tuple[int | None, bool], int] = {}
    taken: dict[tuple[int | None, bool], int] = {}
    out = []
    for a in agencies:
        key = (a.parent_id, a.is_government)
        if key not in starts:
            starts[key], taken[key] = rng.randrange(available[a.is_government]), 0
        out.append((starts[key] + taken[key]) % available[a.is_government])
        taken[key] += 1
    return out


def fill(agencies: list[Agency], first: int, last: int, rng: random.Random, progress=None) -> int:
    """Every agency's reports of ``first``–``last`` from chains; the number of reports."""
    by_kind = chains(rng, _siblings_by_kind(agencies), first, last)
    chosen = assign(agencies, {k: len(v) for k, v in by_kind.items()}, rng)
    written = 0
    for year in range(first, last + 1):
        for start in range(0, len(agencies), BATCH):
            batch = agencies[start : start + BATCH]
            pairs = [
                (a, proto)
                for a, i in zip(batch, chosen[start : start + BATCH], strict=True)
                if (proto := by_kind[a.is_government][i][year]) is not None
            ]
            written += _write(year, pairs)
        if progress:
            progress(year, written)
    return written


def _write(year: int, pairs: list[tuple[Agency, Prototype]]) -> int:
    reports = Report.objects.bulk_create(
        [
            Report(
                agency_id=a.pk,
                title=schema.title_for(a.name, year),
                signature_agency=a.name,
                **proto.values,
            )
            for a, proto in pairs
        ],
        batch_size=500,
    )
    GeneralSection.objects.bulk_create(
        (
            GeneralSection(report_id=r.pk, position=i, heading=s["heading"], body=s["body"])
            for r, (_, proto) in zip(reports, pairs, strict=True)
            for i, s in enumerate(proto.general)
        ),
        batch_size=5000,
    )
    StoredFinding.objects.bulk_create(_findings(reports, pairs), batch_size=5000)
    return len(reports)


def _findings(
    reports: Iterable[Report], pairs: list[tuple[Agency, Prototype]]
) -> Iterator[StoredFinding]:
    for r, (_, proto) in zip(reports, pairs, strict=True):
        yield from triage.stored_rows(r.pk, proto.findings, proto.digests)
