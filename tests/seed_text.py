"""The narrative of the seed reports, cut out of their published text for the rules
that read prose (R8, R9, R12)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

_HEADING = r"^[#*\s]*(?:\*\*)?{}、"


def _find(lines: list[str], numeral: str, start: int) -> int:
    pattern = re.compile(_HEADING.format(numeral))
    for i in range(start, len(lines)):
        # Table rows extracted from Word start with a TAB; headings never do.
        if not lines[i].startswith("\t") and pattern.match(lines[i]):
            return i
    return -1


def seed_sections(index: int) -> dict[str, str]:
    path = sorted(Path(settings.SEEDS_DIR).glob("*.txt"))[index]
    lines = path.read_text(encoding="utf-8").splitlines()
    one = _find(lines, "一", 0)
    two = min(i for i in (_find(lines, "二", one), _find(lines, "三", one)) if i > 0)
    five = _find(lines, "五", two)
    six = _find(lines, "六", five)
    return {
        "general": "\n".join(lines[one + 1 : two]),
        "problems": "\n".join(lines[five + 1 : six]),
        "other_matters": "\n".join(lines[six + 1 :]),
    }


def with_seed_narrative(raw: dict, index: int) -> dict:
    """A seed's figures with its own published narrative (as one sub-section of 一)."""
    text = seed_sections(index)
    raw = dict(raw)
    raw["sections"] = {
        "general": [{"heading": "（一）总体情况", "body": text["general"]}],
        "problems": text["problems"],
        "other_matters": text["other_matters"],
    }
    return raw


def seed_doc(index: int) -> dict:
    """The seed's figures (from its JSON) with the narrative of its published text, read
    by the project's own importer, so that the seed prints at its real length."""
    from reports.textimport import parse_published

    from .helpers import complete_doc, load_seed

    data = complete_doc(load_seed(index))
    path = sorted(Path(settings.SEEDS_DIR).glob("*.txt"))[index]
    published = parse_published(path.read_bytes(), path.name).raw
    # The table notes stay empty: the print tests read the figures of each table in
    # order right after its heading.
    for key in ("opening", "general", "problems", "other_matters"):
        value = (published.get("sections") or {}).get(key)
        if value:
            data["sections"][key] = value
    return data


def import_printable_seed(index: int):
    from reports.services import import_document

    report, _ = import_document(seed_doc(index))
    return report
