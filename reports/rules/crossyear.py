"""R7, R11, R12, R14, R15 and R18: a report against the same agency's report of the
year before.

The previous year's document arrives as ``Context.previous`` (``Report.rule_context()``
builds it from the current revision of last year's report); without it these rules
stay silent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from reports.rules import contents
from reports.rules.registry import Context, Finding, rule
from reports.spec import figures as fig
from reports.spec import schema

APP = "applications"


@rule("R7", "warning", "上年结转与上年报告一致")
def carried_over_matches_last_year(doc: dict, context: Context) -> Iterator[Finding]:
    previous = context.previous
    if not previous:
        return
    for col in schema.APPLICATION_COLUMNS:
        now = fig.get(doc, schema.cell(APP, "carried_over", col.key))
        before = fig.get(previous, schema.cell(APP, "carried_forward", col.key))
        if now is None or before is None or now == before:
            continue
        yield Finding(
            "R7",
            "warning",
            f"表三“{col.label}”列“二、上年结转政府信息公开申请数量”为{now}，"
            f"但{previous.get('year', '上一')}年度报告“四、结转下年度继续办理”为{before}。",
            cells=((APP, "carried_over", col.key),),
        )


@rule("R11", "info", "现行有效件数与上年衔接")
def in_force_follows_last_year(doc: dict, context: Context) -> Iterator[Finding]:
    previous = context.previous
    if not previous:
        return
    for row_key, row_label in schema.ACTIVE_TABLES[0].rows:

        def value(d: dict, col: str, row: str = row_key):
            return fig.get(d, schema.cell("active_disclosure", row, col))

        issued, repealed, in_force = (value(doc, k) for k in ("issued", "repealed", "in_force"))
        last = value(previous, "in_force")
        if None in (issued, repealed, in_force, last):
            continue
        expected = last + issued - repealed
        if expected == in_force:
            continue
        yield Finding(
            "R11",
            "info",
            f"{row_label}现行有效件数为{in_force}，按上年现行有效{last}件、本年制发{issued}件、"
            f"废止{repealed}件推算应为{expected}件（如有修改、失效等情况可不予理会）。",
            cells=(("active_disclosure", row_key, "in_force"),),
        )


# --- R12: text repeated from last year -------------------------------------------

REPEAT_THRESHOLD = 0.5
# Sentences this short ("特此说明") repeat in every report and prove nothing.
MIN_SENTENCE = 8


def normalised_sentences(text: str) -> list[str]:
    """Sentences with digits masked: a copied report usually changes only the year."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[0-9零〇一二两三四五六七八九十百千万]+(?=[年件条次个篇万元%])", "#", text)
    return [s for s in re.split(r"[。；;！？!?]", text) if len(s) >= MIN_SENTENCE]


def repeated_share(text: str, previous_text: str) -> float:
    """The share of last year's text (in characters of its sentences) that reappears
    sentence for sentence this year."""
    before = normalised_sentences(previous_text)
    if not before:
        return 0.0
    now = set(normalised_sentences(text))
    repeated = sum(len(s) for s in before if s in now)
    return repeated / sum(len(s) for s in before)


def _section_text(doc: dict, key: str) -> str:
    sections = doc.get("sections") or {}
    if key == "general":
        return "\n".join(
            f"{s.get('heading') or ''}\n{s.get('body') or ''}"
            for s in sections.get("general") or []
        )
    return sections.get(key) or ""


@rule("R12", "warning", "正文不得照搬上年")
def not_copied_from_last_year(doc: dict, context: Context) -> Iterator[Finding]:
    previous = context.previous
    if not previous:
        return
    for key in ("general", "problems"):
        share = repeated_share(_section_text(doc, key), _section_text(previous, key))
        if share <= REPEAT_THRESHOLD:
            continue
        heading = schema.SECTION_BY_KEY[key].heading
        yield Finding(
            "R12",
            "warning",
            f"“{heading}”有{share:.0%}的内容与{previous.get('year', '上一')}年度报告相同，"
            "请结合本年度实际情况撰写。",
            section=key,
        )


# --- R14: figures copied from last year ---------------------------------------------

# A small agency reports zeros year after year, truthfully: only a table with at least
# this many non-zero cells proves anything by being the same as last year's.
FROZEN_MIN_NONZERO = 3


@rule("R14", "warning", "表格数据不得与上年完全相同")
def figures_not_frozen(doc: dict, context: Context) -> Iterator[Finding]:
    previous = context.previous
    if not previous:
        return
    pairs = [(c, fig.get(doc, c), fig.get(previous, c)) for c in schema.STORED_CELLS]
    if any(now is None or before is None or now != before for _, now, before in pairs):
        return
    nonzero = tuple(c.address for c, now, _ in pairs if now)
    if len(nonzero) < FROZEN_MIN_NONZERO:
        return
    yield Finding(
        "R14",
        "warning",
        f"表二、表三、表四的全部数据与{previous.get('year', '上一')}年度报告完全相同，"
        "请核实是否照搬了上年数据。",
        cells=nonzero,
    )


# --- R15: year-over-year jumps ------------------------------------------------------

JUMP_FACTOR = 5
# Below this (in the larger of the two years) a change from 2 to 11 is ordinary.
JUMP_FLOOR = 20


def _jump_cells() -> tuple[schema.Cell, ...]:
    """The figures evaluators compare year over year: every count of 二, the 总计
    column of 三 and the totals of 四."""
    return tuple(
        c
        for c in schema.CELLS
        if (c.table == "active_disclosure" and c.kind == "count")
        or (c.table in (APP, "review_litigation") and c.col == "total")
    )


JUMP_CELLS = _jump_cells()


@rule("R15", "info", "数据同比变化异常")
def no_unexplained_jumps(doc: dict, context: Context) -> Iterator[Finding]:
    previous = context.previous
    if not previous:
        return
    for c in JUMP_CELLS:
        now, before = fig.get(doc, c), fig.get(previous, c)
        if now is None or before is None or max(now, before) < JUMP_FLOOR:
            continue
        if now > JUMP_FACTOR * before:
            how = f"超过上年的{JUMP_FACTOR}倍"
        elif now * JUMP_FACTOR < before:
            how = "不足上年的五分之一"
        else:
            continue
        yield Finding(
            "R15",
            "info",
            f"{c.label}为{now}，{previous.get('year', '上一')}年度为{before}，{how}，"
            "请核实数据，确有变化的可在正文中说明原因。",
            cells=(c.address,),
        )


# --- R18: last year's problems followed up ----------------------------------------

LAST_YEAR_WORDS = re.compile(r"上一?年|去年|前一年")


@rule("R18", "info", "说明上年问题的整改情况")
def last_years_problems_followed_up(doc: dict, context: Context) -> Iterator[Finding]:
    previous = context.previous
    if not previous or not contents.names_problems(_section_text(previous, "problems")):
        return
    text = unicodedata.normalize("NFKC", _section_text(doc, "problems"))
    text = re.sub(r"\s+", "", text)
    year = previous.get("year")
    if LAST_YEAR_WORDS.search(text) or (year and f"{year}年" in text):
        return
    yield Finding(
        "R18",
        "info",
        f"{year or '上一'}年度报告列出了存在的问题，本年度“五、存在的主要问题及改进情况”"
        "未说明上年度问题的整改情况。",
        section="problems",
    )
