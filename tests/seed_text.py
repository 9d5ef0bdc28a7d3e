"""The narrative of the seed reports, cut out of their published text for the rules
that read prose (R8, R9, R12)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def _published_sections(index: int) -> dict:
    """The narrative of a seed's published text, as the project's own importer reads it."""
    from reports.io.published.parse import parse_published

    path = sorted(Path(settings.SEEDS_DIR).glob("*.txt"))[index]
    return parse_published(path.read_bytes(), path.name).raw.get("sections") or {}


def seed_sections(index: int) -> dict[str, str]:
    sections = _published_sections(index)
    general = "\n".join(
        line
        for sub in sections.get("general") or []
        for line in (sub.get("heading", ""), sub.get("body", ""))
        if line
    )
    return {
        "general": general,
        "problems": sections.get("problems", ""),
        "other_matters": sections.get("other_matters", ""),
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
    from tests.helpers import complete_doc, load_seed

    data = complete_doc(load_seed(index))
    published = {"sections": _published_sections(index)}
    # The table notes stay empty: the print tests read the figures of each table in
    # order right after its heading.
    for key in ("opening", "general", "problems", "other_matters"):
        value = (published.get("sections") or {}).get(key)
        if value:
            data["sections"][key] = value
    return data


def import_printable_seed(index: int):
    from reports.io.imports import import_document
    from tests.helpers import ensure_agency

    doc = seed_doc(index)
    ensure_agency(doc)
    report, _ = import_document(doc)
    return report
