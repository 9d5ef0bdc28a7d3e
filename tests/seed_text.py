"""Realistic narrative for the seeds, read simply from their published text.

A parser for published text is written elsewhere; this reads only what the print tests
and the benchmark need (opening, sub-sections of 一, 五 and 六) so that a seed prints
at its real length. Seeds whose text does not show the headings keep complete_doc's
short narrative.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from reports import schema
from reports.models import Report
from reports.services import import_document

from .helpers import complete_doc, load_seed, seed_paths

SUB_HEADING = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")


def seed_text(index: int) -> str:
    path = seed_paths()[index].with_suffix(".txt")
    return Path(settings.SEEDS_DIR, path.name).read_text(encoding="utf-8")


def _clean(line: str) -> str:
    # Word bookmarks leak into the extracted text.
    return re.sub(r"\[bookmark: [^\]]*\]", "", line).strip()


def _prose(lines: list[str]) -> list[str]:
    # Table cells come one per line, indented by a TAB; prose lines do not. Word's page
    # number fields come out as "PAGE" and a number.
    return [
        _clean(ln)
        for ln in lines
        if ln.strip() and not ln.startswith("\t") and not re.fullmatch(r"PAGE|\d+", ln.strip())
    ]


def seed_narrative(index: int) -> dict | None:
    lines = seed_text(index).splitlines()
    starts = {}
    for i, line in enumerate(lines):
        for key in ("一、总体情况", "五、", "六、"):
            if line.startswith(key) and key not in starts:
                starts[key] = i
    if len(starts) < 3:
        return None
    opening = [ln for ln in _prose(lines[: starts["一、总体情况"]]) if len(ln) > 40]
    general_end = next(
        i
        for i in range(starts["一、总体情况"] + 1, len(lines))
        if lines[i].startswith(("二、", "三、", "主动公开政府信息情况"))
    )
    general: list[dict] = []
    intro: list[str] = []
    for line in _prose(lines[starts["一、总体情况"] + 1 : general_end]):
        if SUB_HEADING.match(line) and len(line) < 40 and "。" not in line:
            general.append({"heading": line, "body": ""})
        elif general:
            general[-1]["body"] += line + "\n"
        else:
            intro.append(line)
    if not general:
        general = [{"heading": schema.STANDARD_GENERAL_HEADINGS[0], "body": ""}]
    general[0]["body"] = "\n".join([*intro, general[0]["body"]])
    problems = _prose(lines[starts["五、"] + 1 : starts["六、"]])
    other = _prose(lines[starts["六、"] + 1 :])
    # The published text ends with the signature, which the report keeps apart.
    while other and (re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", other[-1]) or len(other[-1]) < 20):
        other.pop()
    return {
        "opening": "\n".join(opening),
        "general": general,
        "problems": "\n".join(problems),
        "other_matters": "\n".join(other),
    }


def seed_doc(index: int) -> dict:
    """The seed's figures with its real narrative where the text shows it."""
    data = complete_doc(load_seed(index))
    narrative = seed_narrative(index)
    if narrative is not None:
        data["sections"].update(narrative)
    return data


def import_printable_seed(index: int) -> Report:
    report, _ = import_document(seed_doc(index))
    return report
