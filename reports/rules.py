"""The rules of SPEC §3, in one place.

Every path that judges a report — the section forms, the 检查 panel, the importers,
``check_report`` and the submit gate — calls ``check()``. A rule is a function that
receives a *document* (the JSON interchange structure of SPEC §4 with Python values:
ints, Decimals, None for blank) and yields ``Finding`` objects naming the cells or the
section concerned. Totals in a document may be declared (imports) or derived (the
database); R2–R4 only ever fail for declared totals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from . import schema

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

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

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
        }


@dataclass
class Context:
    """What a rule may know besides the document itself."""

    previous: dict | None = None  # the same agency's report of the year before
    extra: dict = field(default_factory=dict)


RuleFunc = Callable[[dict, Context], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    func: RuleFunc


RULES: list[Rule] = []


def rule(rule_id: str, severity: Severity, title: str) -> Callable[[RuleFunc], RuleFunc]:
    def register(func: RuleFunc) -> RuleFunc:
        RULES.append(Rule(rule_id, severity, title, func))
        return func

    return register


def check(doc: dict, context: Context | None = None) -> list[Finding]:
    context = context or Context()
    findings: list[Finding] = []
    for r in RULES:
        findings.extend(r.func(doc, context))
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], _rule_number(f.rule)))


def _rule_number(rule_id: str) -> int:
    return int(rule_id[1:]) if rule_id[1:].isdigit() else 0


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def _value(doc: dict, table: str, row: str, col: str | None = None):
    return schema.get(doc, schema.cell(table, row, col))


def _fmt(value) -> str:
    return "空白" if value is None else str(value)


# --- R1–R6 ------------------------------------------------------------------------


@rule("R1", "error", "勾稽关系")
def balance(doc: dict, context: Context) -> Iterator[Finding]:
    for col in schema.APPLICATION_COLUMNS:
        ins = [_value(doc, "applications", r, col.key) for r in schema.BALANCE_IN]
        outs = [_value(doc, "applications", r, col.key) for r in schema.BALANCE_OUT]
        if None in ins or None in outs:
            continue  # the blank cell is R5's finding
        left, right = sum(ins), sum(outs)
        if left != right:
            yield Finding(
                "R1",
                "error",
                f"表三“{col.label}”列勾稽关系不平衡：第一项加第二项之和为{left}，"
                f"第三项加第四项之和为{right}，相差{left - right}。",
                cells=tuple(
                    ("applications", r, col.key) for r in schema.BALANCE_IN + schema.BALANCE_OUT
                ),
            )


def _totals_rule(rule_id: str, select: Callable[[schema.Cell], bool], what: str):
    def run(doc: dict, context: Context) -> Iterator[Finding]:
        for c in schema.CELLS:
            if not (c.derived and select(c)):
                continue
            declared = schema.get(doc, c)
            expected = schema.expected_total(doc, c)
            if declared is None or expected is None or declared == expected:
                continue
            yield Finding(
                rule_id,
                "error",
                f"{c.label}为{declared}，但{what}为{expected}。",
                cells=(c.address,),
            )

    return run


rule("R2", "error", "总计列等于各类申请人之和")(
    _totals_rule(
        "R2",
        lambda c: c.table == "applications" and c.col == "total",
        "六类申请人之和",
    )
)
rule("R3", "error", "办理结果总计等于各项之和")(
    _totals_rule(
        "R3",
        lambda c: c.table == "applications" and c.row == "handled_total" and c.col != "total",
        "（一）至（六）各项之和",
    )
)
rule("R4", "error", "行政复议、行政诉讼总计")(
    _totals_rule(
        "R4",
        lambda c: c.table == "review_litigation",
        "结果维持、结果纠正、其他结果、尚未审结之和",
    )
)


@rule("R5", "error", "单元格不得空白")
def no_blank_cells(doc: dict, context: Context) -> Iterator[Finding]:
    for table in schema.TABLES:
        blanks = [c for c in schema.STORED_CELLS if c.table == table and schema.get(doc, c) is None]
        if not blanks:
            continue
        named = "、".join(c.label for c in blanks[:3])
        more = f"等{len(blanks)}个单元格" if len(blanks) > 3 else ""
        yield Finding(
            "R5",
            "error",
            f"表{schema.TABLE_NUMERALS[table]}有空白单元格：{named}{more}。"
            "完成的报告不得留空，没有数据请填写0。",
            cells=tuple(c.address for c in blanks),
        )


@rule("R6", "error", "六个部分齐全")
def sections_present(doc: dict, context: Context) -> Iterator[Finding]:
    sections = doc.get("sections") or {}
    general = sections.get("general") or []
    if not any((s.get("body") or "").strip() for s in general):
        yield Finding(
            "R6", "error", "“一、总体情况”没有内容，请填写各小节正文。", section="general"
        )
    if not (sections.get("problems") or "").strip():
        yield Finding("R6", "error", "“五、存在的主要问题及改进情况”没有内容。", section="problems")
    headings = doc.get("headings")
    if headings is not None:
        # Documents read from published text carry the headings they were found under.
        expected = [s.heading for s in schema.SECTIONS]
        for want, got in zip(expected, list(headings) + [None] * 6, strict=False):
            if got != want:
                key = schema.SECTIONS[expected.index(want)].key
                found = f"，实际为“{got}”" if got else "，但未找到"
                yield Finding("R6", "error", f"应有标题“{want}”{found}。", section=key)


# R7–R13 live in their own modules; importing them registers them with ``rule``.
from . import rules_history, rules_narrative  # noqa: E402, F401
