"""Rules R8–R10: what the narrative says against the tables and about fees.

The narrative is free text, so the extraction is deliberately narrow: a stated count
is only compared when the sentence says unambiguously which table cell it is about.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from reports.rules.registry import Context, Finding, rule
from reports.spec import figures as fig
from reports.spec import schema

# --- numbers written in words --------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS.update({"七": 7, "八": 8, "九": 9})
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇一二两三四五六七八九十百千万"
NUMBER = rf"(\d+|[{CN_NUMERAL}]+)"


def chinese_to_int(text: str) -> int | None:
    """五十二 → 52, 一百零五 → 105, 两千三百 → 2300, 十二 → 12, 三万 → 30000.

    Returns None for what is not a well-formed numeral (e.g. a lone 万)."""
    if text.isdigit():
        return int(text)
    total = 0  # completed groups of 万
    section = 0  # below 万
    digit: int | None = None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and digit != 0 and _DIGITS[ch] != 0:
                # 五二 is not a numeral a report writes; refuse rather than guess.
                return None
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif ch == "万":
            section += digit or 0
            if section == 0:
                return None
            total += section * 10_000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def normalise(text: str) -> str:
    """Full-width digits to ASCII, thousands separators and spaces around numbers gone,
    so that ``受理依申请公开 5,2 件`` and ``受理依申请公开５２件`` read alike."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"[ \t\u3000\xa0]*(\d+)[ \t\u3000\xa0]*", r"\1", text)
    return text


# --- stated counts ------------------------------------------------------------------

_GAP = r"[^，。；：,;:！？\n\d]"  # stays inside one clause


@dataclass(frozen=True)
class Claim:
    """A pattern for "the narrative says cell X is N"."""

    what: str  # how the message names it
    pattern: re.Pattern
    cells: tuple[tuple[str, str, str | None], ...]  # the number may equal any of them
    summed: bool = False  # the number is the sum of the cells instead
    # Words that make the sentence, up to the number, about something else.
    unless: str = ""
    # Sums of other cells the number may also be: "收到申请75件" often counts 本年新收
    # and 上年结转 together.
    also: tuple[tuple[tuple[str, str, str | None], ...], ...] = ()


def _claim(
    what: str,
    regex: str,
    *cells: tuple[str, str, str | None],
    summed: bool = False,
    unless: str = "",
    also: tuple[tuple[tuple[str, str, str | None], ...], ...] = (),
) -> Claim:
    return Claim(what, re.compile(regex), cells, summed, unless, also)


# Applications of other procedures: 行政复议申请, 信访, 人大建议, 政协提案.
OTHER_PROCEDURES = "复议|诉讼|信访|举报|投诉|议案|提案|建议"


APP = "applications"
RL = "review_litigation"
AD = "active_disclosure"
CLAIMS: tuple[Claim, ...] = (
    _claim(
        "收到的政府信息公开申请",
        rf"(?:受理|收到|新收|共收)(?={_GAP}{{0,14}}?申请){_GAP}{{0,14}}?{NUMBER}件",
        (APP, "new_received", "total"),
        # 受理行政复议申请1件 and 收到信访申请 are other applications.
        unless=OTHER_PROCEDURES,
        also=(((APP, "new_received", "total"), (APP, "carried_over", "total")),),
    ),
    _claim("上年结转的申请", rf"上年结转{_GAP}{{0,8}}?{NUMBER}件", (APP, "carried_over", "total")),
    _claim(
        "已办结的申请",
        rf"办结{_GAP}{{0,6}}?{NUMBER}件",
        (APP, "handled_total", "total"),
        unless=OTHER_PROCEDURES,
    ),
    _claim(
        "结转下年度继续办理的申请",
        rf"{NUMBER}件{_GAP}{{0,4}}?结转下(?:一)?年",
        (APP, "carried_forward", "total"),
    ),
    _claim(
        "结转下年度继续办理的申请",
        rf"结转下(?:一)?年度?{_GAP}{{0,6}}?{NUMBER}件",
        (APP, "carried_forward", "total"),
    ),
    _claim("予以公开的申请", rf"{NUMBER}件(?:申请)?予以公开", (APP, "granted", "total")),
    _claim("予以公开的申请", rf"(?<!主动)予以公开{NUMBER}件", (APP, "granted", "total")),
    _claim(
        "行政复议案件",
        rf"行政复议(?:申请|案件)?{_GAP}{{0,4}}?{NUMBER}(?:件|起)",
        (RL, "review", "total"),
    ),
    _claim(
        "行政诉讼案件",
        rf"行政诉讼(?:案件)?{_GAP}{{0,4}}?{NUMBER}(?:件|起)",
        # Direct and after-review suits together.
        (RL, "litigation_direct", "total"),
        (RL, "litigation_after_review", "total"),
        summed=True,
    ),
    _claim(
        "本年制发的规范性文件",
        rf"(?:制发|印发|出台|制定){_GAP}{{0,4}}?{NUMBER}件(?:行政)?规范性文件",
        (AD, "normative_documents", "issued"),
    ),
    _claim(
        "规范性文件",
        rf"(?<!制发)(?<!印发)(?<!出台)(?<!制定)(?:行政)?规范性文件{_GAP}{{0,4}}?{NUMBER}件",
        (AD, "normative_documents", "issued"),
        (AD, "normative_documents", "repealed"),
        (AD, "normative_documents", "in_force"),
    ),
)


def narrative_text(doc: dict) -> str:
    """The text of 一 and of the notes before the tables: where reports restate their
    figures. Section 五 is left out: it often quotes last year's numbers."""
    sections = doc.get("sections") or {}
    parts = [s.get("body") or "" for s in sections.get("general") or []]
    parts += [sections.get(key) or "" for key in schema.NOTE_KEYS.values()]
    return "\n".join(parts)


def _value(doc: dict, address: tuple[str, str, str | None]):
    return fig.get(doc, schema.CELL_BY_ADDRESS[address])


def stated_counts(text: str) -> Iterator[tuple[Claim, int, str]]:
    """Every (claim, number, quoted phrase) found in ``text``."""
    text = normalise(text)
    for claim in CLAIMS:
        for match in claim.pattern.finditer(text):
            number = chinese_to_int(match.group(1))
            if claim.unless and re.search(claim.unless, _sentence_up_to(text, match)):
                continue
            if number is not None:
                yield claim, number, match.group(0)


def _sentence_up_to(text: str, match: re.Match) -> str:
    """The sentence of ``match`` from its start to the end of the match: "办理人大代表
    建议和政协提案，共办结12件" is about proposals, while a later "无行政复议" does not
    make "受理申请52件" about reviews."""
    start = max(text.rfind(ch, 0, match.start()) for ch in "。；;！？!?\n") + 1
    return text[start : match.end()]


@rule("R8", "warning", "正文数字与表格一致")
def narrative_matches_tables(doc: dict, context: Context) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()
    for claim, number, phrase in stated_counts(narrative_text(doc)):
        values = [_value(doc, a) for a in claim.cells]
        if any(v is None for v in values):
            continue  # a blank cell is R5's finding
        candidates = [sum(values)] if claim.summed else values
        for cells in claim.also:
            parts = [_value(doc, a) for a in cells]
            if None not in parts:
                candidates.append(sum(parts))
        if number in candidates or (claim.what, number) in seen:
            continue
        seen.add((claim.what, number))
        labels = "、".join(schema.CELL_BY_ADDRESS[a].label for a in claim.cells)
        shown = ("＋" if claim.summed else "、").join(str(v) for v in values)
        yield Finding(
            "R8",
            "warning",
            f"正文“{phrase}”所述{claim.what}为{number}件，与表格不一致（{labels}为{shown}）。",
            cells=claim.cells,
            section="general",
        )


# --- fees ---------------------------------------------------------------------------

FEE_WORDS = re.compile(r"信息处理费|处理费|收费|缴费|缴款|费用")
NIL_WORDS = re.compile(r"未|无|没有|不收|零|免")
AMOUNT = re.compile(r"\d+(?:\.\d+)?(?:万)?元|[零〇一二两三四五六七八九十百千万]+元")
NOTICE_WORDS = re.compile(r"(?:收费|缴费|缴款|付费)通知")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。；;！？\n]", normalise(text)) if s.strip()]


def states_fee(text: str) -> bool:
    """Whether a sentence speaks of fees and gives an amount or says none was taken."""
    for sentence in _sentences(text):
        if FEE_WORDS.search(sentence) and (AMOUNT.search(sentence) or NIL_WORDS.search(sentence)):
            return True
    return False


@rule("R9", "warning", "说明信息处理费收取情况")
def fee_statement(doc: dict, context: Context) -> Iterator[Finding]:
    text = (doc.get("sections") or {}).get("other_matters") or ""
    if not states_fee(text):
        yield Finding(
            "R9",
            "warning",
            "“六、其他需要报告的事项”应说明按照国办函〔2020〕109号收取信息处理费的情况"
            "（写明金额，未收取的也应明确说明）。",
            section="other_matters",
        )


@rule("R10", "warning", "逾期未缴费应说明收费通知")
def fee_notices(doc: dict, context: Context) -> Iterator[Finding]:
    unpaid = _value(doc, (APP, "other_unpaid_fee", "total"))
    if not unpaid:
        return
    sections = doc.get("sections") or {}
    text = normalise("\n".join([sections.get("other_matters") or "", narrative_text(doc)]))
    if NOTICE_WORDS.search(text):
        return
    yield Finding(
        "R10",
        "warning",
        f"表三“申请人逾期未按收费通知要求缴纳费用”共{unpaid}件，说明本年发出过收费通知，"
        "“六、其他需要报告的事项”应说明收费通知及信息处理费情况。",
        cells=((APP, "other_unpaid_fee", "total"),),
        section="other_matters",
    )
