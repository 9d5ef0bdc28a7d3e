"""R1–R6: the tables add up, no cell is blank, every section is there.

Totals in a document may be declared (imports) or derived (the database); R2–R4 only
ever fail for declared totals. They are the template's sums (``schema.SUMS``), checked
one by one.
"""

from __future__ import annotations

from collections.abc import Iterator

from reports.rules.registry import Context, Finding, rule
from reports.spec import figures as fig
from reports.spec import schema


def _value(doc: dict, table: str, row: str, col: str | None = None):
    return fig.get(doc, schema.cell(table, row, col))


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
                f"第三项加第四项之和为{right}，相差{abs(left - right)}。",
                cells=tuple(
                    ("applications", r, col.key) for r in schema.BALANCE_IN + schema.BALANCE_OUT
                ),
            )


def _declared_totals(rule_id: str):
    """R2, R3 or R4: each derived cell of the template's sums for ``rule_id`` against
    the sum of its parts, where the document declares both."""

    def run(doc: dict, context: Context) -> Iterator[Finding]:
        for s in schema.SUMS:
            if s.rule != rule_id:
                continue
            declared = fig.get(doc, s.total)
            expected = fig.expected_total(doc, s.total)
            if declared is None or expected is None or declared == expected:
                continue
            yield Finding(
                rule_id,
                "error",
                f"{s.total.label}为{declared}，但{s.parts_label}为{expected}。",
                cells=(s.total.address,),
            )

    return run


rule("R2", "error", "总计列等于各类申请人之和")(_declared_totals("R2"))
rule("R3", "error", "办理结果总计等于各项之和")(_declared_totals("R3"))
rule("R4", "error", "行政复议、行政诉讼总计")(_declared_totals("R4"))


@rule("R5", "error", "单元格不得空白")
def no_blank_cells(doc: dict, context: Context) -> Iterator[Finding]:
    for table in schema.TABLES:
        blanks = [c for c in schema.STORED_CELLS if c.table == table and fig.get(doc, c) is None]
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
            incomplete=True,
            cell_message="本单元格空白，没有数据请填写0。",
        )


@rule("R6", "error", "六个部分齐全")
def sections_present(doc: dict, context: Context) -> Iterator[Finding]:
    sections = doc.get("sections") or {}
    general = sections.get("general") or []
    if not any((s.get("body") or "").strip() for s in general):
        yield Finding(
            "R6",
            "error",
            "“一、总体情况”没有内容，请填写各小节正文。",
            section="general",
            incomplete=True,
        )
    if not (sections.get("problems") or "").strip():
        yield Finding(
            "R6",
            "error",
            "“五、存在的主要问题及改进情况”没有内容。",
            section="problems",
            incomplete=True,
        )
    headings = doc.get("headings")
    if headings is not None:
        # Documents read from published text carry the headings they were found under.
        expected = [s.heading for s in schema.SECTIONS]
        for want, got in zip(expected, list(headings) + [None] * 6, strict=False):
            if got != want:
                key = schema.SECTIONS[expected.index(want)].key
                found = f"，实际为“{got}”" if got else "，但未找到"
                yield Finding("R6", "error", f"应有标题“{want}”{found}。", section=key)
