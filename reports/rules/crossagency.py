"""R16: the narrative copied from another agency's report of the same year.

Evaluators fault departments of one region that publish the same text under different
names. The other reports arrive as ``Context.peers`` (``Report.rule_context()`` passes
the current reports of the same year of the agencies under the same oversight office);
without them the rule stays silent. What every report must say — the legal basis, the
headings — is boilerplate and not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from reports.rules.crossyear import normalised_sentences
from reports.rules.registry import Context, Finding, rule

COPY_THRESHOLD = 0.5
# Sentences naming the legal basis or the template are the same in every report.
BOILERPLATE = re.compile(r"条例|国办公开办函|国办函|年度报告格式|国务院令|公开为常态")
# "(一)主动公开情况" standing as a sentence of its own is a heading, not text.
HEADING = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）、.]")
HEADING_MAX = 16
# How an agency names itself: "我局", "本中心" read alike across agencies.
SELF = re.compile(r"[我本](?:局|中心|委|办|单位|机关|部门|厅|院|所|站|处|室|馆|队)")


def _names(agency: str) -> list[str]:
    """The agency's full name and its shorter forms ("镇海区金融发展服务中心",
    "区金融发展服务中心"), longest first."""
    forms = {agency}
    for i, ch in enumerate(agency):
        if ch in "省市区县州旗盟" and len(agency) - i > 4:
            forms.update((agency[i:], agency[i + 1 :]))
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def copy_sentences(doc: dict) -> tuple[str, ...]:
    """The sentences of 一 (bodies, not headings) and 五 that a copy would share, with
    the agency's own name, digits before 年/件/条 and self-references masked."""
    return _copy_sentences(*_narrative(doc))


def _narrative(doc: dict) -> tuple[str, str]:
    sections = doc.get("sections") or {}
    bodies = [s.get("body") or "" for s in sections.get("general") or []]
    return doc.get("agency") or "", "\n".join([*bodies, sections.get("problems") or ""])


# Each report is compared with every sibling, and each sibling with it in turn: the
# sentences of a text are cut once.
@lru_cache(maxsize=2048)
def _copy_sentences(agency: str, text: str) -> tuple[str, ...]:
    for name in _names(agency):
        text = text.replace(name, "本机关")
    return tuple(
        s
        for s in normalised_sentences(SELF.sub("本机关", text))
        if not (BOILERPLATE.search(s) or (HEADING.match(s) and len(s) <= HEADING_MAX))
    )


# A peer's sentences as a set, kept like its sentences: a department among 440 siblings
# (bench/oversight.py, 150,000 agencies) compares with each of them on every page.
@lru_cache(maxsize=2048)
def _copy_set(agency: str, text: str) -> frozenset[str]:
    return frozenset(_copy_sentences(agency, text))


class _Share:
    """The share of one text's sentences (in characters) that also stand in another's,
    for one text against many: its sentences' lengths summed once, the shared ones
    found by a set intersection."""

    def __init__(self, sentences: tuple[str, ...]) -> None:
        self.weights: dict[str, int] = {}
        for s in sentences:  # a sentence written twice counts twice
            self.weights[s] = self.weights.get(s, 0) + len(s)
        self.keys = frozenset(self.weights)
        self.total = sum(self.weights.values())

    def of(self, other: frozenset[str]) -> float:
        if not self.total:
            return 0.0
        return sum(self.weights[s] for s in self.keys.intersection(other)) / self.total


@rule("R16", "warning", "正文不得照搬其他机关")
def not_copied_from_another_agency(doc: dict, context: Context) -> Iterator[Finding]:
    if not context.peers:
        return
    own = copy_sentences(doc)
    if not own:
        return
    mine = _Share(own)
    best, share = None, 0.0
    for peer in context.peers:
        if peer.get("agency") == doc.get("agency"):
            continue
        s = mine.of(_copy_set(*_narrative(peer)))
        if s > share:
            best, share = peer, s
    if best is None or share <= COPY_THRESHOLD:
        return
    yield Finding(
        "R16",
        "warning",
        f"“一、总体情况”和“五、存在的主要问题及改进情况”有{share:.0%}的内容与"
        f"{best.get('agency')}{best.get('year') or doc.get('year')}年度报告相同，"
        "请结合本机关实际情况撰写。",
        section="general",
    )
