"""R17, R19 and R20: what a report's own text says, judged on its own or against its
own tables — the faults third-party evaluators (the 政府透明度指数, provincial
evaluations) find without looking at any other report.

Like R8 the reading is deliberately narrow: a sentence is only held against a table
when it cannot be about anything else, since a checker that cries wolf gets ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from reports.rules.narrative import narrative_text, normalise
from reports.rules.registry import Address, Context, Finding, rule
from reports.spec import figures as fig
from reports.spec import schema

APP = "applications"
RL = "review_litigation"

# --- R17: a section 五 that says nothing -------------------------------------------

# "存在的问题是公开内容不够丰富，下一步将加以改进" (22 characters) names a problem and
# a measure; "无" or "暂无明显问题" does not.
MIN_PROBLEMS_CHARS = 20
PROBLEM_WORDS = re.compile(r"问题|不足|短板|差距|有待|不够|不到位|薄弱|滞后|欠缺|仍需|还需|尚需")
MEASURE_WORDS = re.compile(
    r"将|下一步|下阶段|下步|今后|加强|改进|完善|推进|提升|提高|强化|优化|整改|加大|健全"
)


def _substance(text: str) -> int:
    """Letters, digits and CJK characters: what is left without spaces and punctuation."""
    return len(re.findall(r"\w", unicodedata.normalize("NFKC", text or "")))


def names_problems(text: str) -> bool:
    """Whether a section 五 names a problem and a measure (R17 silent on it)."""
    return (
        _substance(text) >= MIN_PROBLEMS_CHARS
        and bool(PROBLEM_WORDS.search(text))
        and bool(MEASURE_WORDS.search(text))
    )


@rule("R17", "warning", "存在的主要问题及改进情况应有实质内容")
def problems_say_something(doc: dict, context: Context) -> Iterator[Finding]:
    text = (doc.get("sections") or {}).get("problems") or ""
    if not text.strip() or names_problems(text):
        return  # an empty section is R6's finding
    quoted = text.strip() if len(text.strip()) <= 20 else text.strip()[:20] + "……"
    yield Finding(
        "R17",
        "warning",
        f"“五、存在的主要问题及改进情况”只写了“{quoted}”，"
        "应写明本年度工作存在的主要问题和下一步的改进措施。",
        section="problems",
    )


# --- R19: the text contradicts the tables ------------------------------------------


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[，,。；;！？!?\n]", normalise(text)) if c]


# Clauses about other procedures: "上年结转的申请均已办结" says nothing of this year's.
OTHER_MATTERS = re.compile(r"复议|诉讼|信访|举报|投诉|建议|提案|议案|上年结转")
NOT_APPLICATIONS = re.compile(r"复议|诉讼|信访|举报|投诉|建议|提案|议案")


@dataclass(frozen=True)
class Contradiction:
    says: str  # how the message names what the text says
    pattern: re.Pattern
    cell: Address  # the table says otherwise when this cell is above 0
    unless: re.Pattern | None = None  # a clause that is about something else


CONTRADICTIONS = (
    Contradiction(
        "申请均已办结",
        re.compile(r"(?:均|全部|都)(?:已经?)?(?:按时|按期|依法|及时)?(?:予以)?办结"),
        (APP, "carried_forward", "total"),
        OTHER_MATTERS,
    ),
    Contradiction(
        "未收到政府信息公开申请",
        re.compile(r"(?:未|没有|无)(?:收到|受理|接到|新收)[^，。；]*?(?:申请|依申请公开)"),
        (APP, "new_received", "total"),
        NOT_APPLICATIONS,
    ),
    Contradiction(
        "没有行政复议",
        re.compile(r"(?:无|未|没有)[^，。；]{0,20}?行政复议"),
        (RL, "review", "total"),
    ),
)


@rule("R19", "warning", "正文表述与表格数据矛盾")
def text_does_not_contradict_tables(doc: dict, context: Context) -> Iterator[Finding]:
    clauses = _clauses(narrative_text(doc))
    for c in CONTRADICTIONS:
        value = fig.get(doc, schema.CELL_BY_ADDRESS[c.cell])
        if not value:
            continue
        for clause in clauses:
            if not c.pattern.search(clause) or (c.unless and c.unless.search(clause)):
                continue
            label = schema.CELL_BY_ADDRESS[c.cell].label
            yield Finding(
                "R19",
                "warning",
                f"正文“{clause}”称{c.says}，但{label}为{value}。",
                cells=(c.cell,),
                section="general",
            )
            break  # one finding per contradiction is enough to fix it


# --- R20: the statistical period ---------------------------------------------------

PERIOD_WORDS = re.compile(r"统计.{0,4}(?:期限|时限|时间|区间|范围|周期|起止)|数据.{0,2}统计")
DATE_YEAR = re.compile(r"(\d{4})年(?:度|\d{1,2}月)")


def stated_period_years(text: str) -> set[int]:
    """The years of the dates in the sentences that state the statistical period."""
    years: set[int] = set()
    for sentence in re.split(r"[。；;\n]", normalise(text)):
        if PERIOD_WORDS.search(sentence):
            years.update(int(y) for y in DATE_YEAR.findall(sentence))
    return years


@rule("R20", "warning", "统计期限与报告年度一致")
def period_is_the_report_year(doc: dict, context: Context) -> Iterator[Finding]:
    year = doc.get("year")
    sections = doc.get("sections") or {}
    text = "\n".join([sections.get("opening") or "", narrative_text(doc)])
    other = sorted(y for y in stated_period_years(text) if y != year)
    if not year or not other:
        return
    yield Finding(
        "R20",
        "warning",
        f"开头段落所述统计期限为{'、'.join(f'{y}年' for y in other)}，"
        f"与报告年度{year}年不符（统计期限应为{year}年1月1日至12月31日）。",
        section="opening",
    )
