"""The registry of rules: what a rule is, what it finds, and ``check()`` that runs them.

A rule is a function registered with ``@rule(id, severity, title)`` that receives a
*document* (the JSON interchange structure of SPEC §4 with Python values: ints,
Decimals, None for blank) and a ``Context`` and yields ``Finding`` objects naming the
cells or the section concerned. The rules themselves live beside this module, by what
they compare: ``tables`` (R1–R6), ``crossyear`` (R7, R11, R12, R14, R15, R18),
``narrative`` (R8–R10), ``calendar`` (R13), ``crossagency`` (R16), ``contents`` (R17,
R19, R20).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from reports.spec import schema

Severity = Literal["error", "warning", "info"]
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
Address = tuple[str, str, str | None]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    cells: tuple[Address, ...] = ()
    section: str | None = None
    # A finding of a region (R21–R23) names the agency it is about.
    agency: str = ""
    # Something is still missing (a blank cell, an empty section) rather than wrong:
    # the section is being filled in (``progress``), not in error.
    incomplete: bool = False
    # What a cell's title says of the finding, when the message speaks of many cells
    # (R5's every blank cell of a table): short, about that one cell. The message
    # itself is in the page's list of findings, once instead of in every cell.
    cell_message: str = ""

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def in_cell(self) -> str:
        """What a cell the finding marks says of it."""
        return self.cell_message or self.message

    @property
    def anchor(self) -> str:
        """The HTML id of the first cell or the section this finding points at."""
        if self.cells:
            return schema.CELL_BY_ADDRESS[self.cells[0]].anchor
        if self.section:
            return "section-" + self.section
        return ""

    @property
    def edit_section(self) -> str | None:
        """The editing page where the finding can be fixed."""
        if self.cells:
            return self.cells[0][0]
        if self.section in ("opening", "signature"):
            return "info"
        return self.section

    @property
    def key(self) -> str:
        """What identifies the finding across re-runs, whatever its message says: the
        rule and the cells (or the section) it concerns. The models layer adds the
        report to make the fingerprint a triage mark is attached to."""
        where = ",".join(f"{t}.{r}.{c or ''}" for t, r, c in self.cells)
        return f"{self.rule}|{where}|{self.section or ''}|{self.agency}"

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "cells": [
                {"table": t, "row": r, "col": c, "label": schema.CELL_BY_ADDRESS[(t, r, c)].label}
                for t, r, c in self.cells
            ],
            "section": self.section,
            **({"agency": self.agency} if self.agency else {}),
        }


@dataclass
class Context:
    """What a rule may know besides the document itself."""

    previous: dict | None = None  # the same agency's report of the year before
    # Other agencies' reports of the same year and oversight office (their agency name
    # and narrative, in the document structure), for R16.
    peers: tuple[dict, ...] = ()
    extra: dict = field(default_factory=dict)


RuleFunc = Callable[[dict, Context], Iterator[Finding]]


Scope = Literal["report", "region"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    func: RuleFunc
    # "report": judges one report's document (``check``); "region": judges a region
    # document, a government's subtree for a year (``check_region``).
    scope: Scope = "report"


RULES: list[Rule] = []


def rule(
    rule_id: str, severity: Severity, title: str, scope: Scope = "report"
) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        RULES.append(Rule(rule_id, severity, title, func, scope))
        return func

    return register


def _run(scope: Scope, doc: dict, context: Context) -> list[Finding]:
    findings: list[Finding] = []
    for r in RULES:
        if r.scope == scope:
            findings.extend(r.func(doc, context))
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], _rule_number(f.rule)))


def check(doc: dict, context: Context | None = None) -> list[Finding]:
    """The findings of every rule of a report on ``doc``."""
    return _run("report", doc, context or Context())


def check_region(region: dict) -> list[Finding]:
    """The findings of the region rules on a region document (``rules.region``)."""
    return _run("region", region, Context())


def _rule_number(rule_id: str) -> int:
    return int(rule_id[1:]) if rule_id[1:].isdigit() else 0


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
