"""The JSON interchange format of SPEC §4: reading, writing and converting.

A *document* is the interchange structure with Python values (int, Decimal, None);
``rules.check`` judges documents. ``parse()`` turns untrusted JSON into a document and
reports every bad value with the cell named; ``to_json()`` writes one back out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from reports.models import Agency, GeneralSection, Report
from reports.rules import Finding
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.calendar import FIRST_YEAR, LAST_YEAR
from reports.spec.numbers import NumberError, format_fee, parse_cell
from reports.spec.text import NARRATIVE_MAX_CHARS, TextError, clean_text

YEAR_RANGE = (FIRST_YEAR, LAST_YEAR)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# Lengths come from the columns they are stored in: a longer value would be refused by
# PostgreSQL (a 500) and silently kept whole by SQLite.
TITLE_MAX = _max_length(Report, "title")
AGENCY_MAX = _max_length(Agency, "name")
SIGNATURE_MAX = _max_length(Report, "signature_agency")
HEADING_MAX = _max_length(GeneralSection, "heading")


@dataclass
class Parsed:
    doc: dict
    errors: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _format_error(message: str, section: str | None = None) -> Finding:
    return Finding("格式", "error", message, section=section)


def _path(c: schema.Cell) -> str:
    return ".".join(p for p in (c.table, c.row, c.col) if p)


def parse(raw: object) -> Parsed:
    """Validate an untrusted interchange object. Declared totals are kept as declared
    so that R2–R4 can compare them with their parts."""
    doc: dict = {"sections": schema.empty_sections(), "signature": {"agency": "", "date": None}}
    parsed = Parsed(doc)
    errors = parsed.errors
    if not isinstance(raw, dict):
        errors.append(_format_error("文件内容应为一个JSON对象。"))
        return parsed

    agency = raw.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        errors.append(_format_error("缺少机关名称（agency）。"))
    else:
        doc["agency"] = _line(agency, "机关名称（agency）", AGENCY_MAX, errors)

    year = raw.get("year")
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not (YEAR_RANGE[0] <= year <= YEAR_RANGE[1])
    ):
        errors.append(_format_error(f"年度（year）应为{YEAR_RANGE[0]}至{YEAR_RANGE[1]}的整数。"))
    else:
        doc["year"] = year

    title = raw.get("title")
    if title is not None and not isinstance(title, str):
        errors.append(_format_error("标题（title）应为文本。"))
        title = None
    title = _line(title or "", "标题（title）", TITLE_MAX, errors)
    doc["title"] = title or (
        schema.title_for(doc["agency"], doc["year"]) if "agency" in doc and "year" in doc else ""
    )

    for t in schema.TABLES:
        doc[t] = {}
    missing_rows: set[tuple[str, str]] = set()
    for c in schema.CELLS:
        table = raw.get(c.table)
        row = table.get(c.row, _MISSING) if isinstance(table, dict) else _MISSING
        if c.col is None:
            value = row
        elif row is _MISSING or not isinstance(row, dict):
            # One message for a missing row rather than one per column.
            if (c.table, c.row) not in missing_rows:
                missing_rows.add((c.table, c.row))
                label = c.label.rsplit(" · ", 1)[0]
                errors.append(
                    Finding("R5", "error", f"缺少{label}整行（{c.table}.{c.row}）。", (c.address,))
                )
            fig.put(doc, c, None)
            continue
        else:
            value = row.get(c.col, _MISSING)
        if value is _MISSING:
            errors.append(Finding("R5", "error", f"缺少{c.label}（{_path(c)}）。", (c.address,)))
            value = None
        else:
            try:
                value = parse_cell(c, value)
            except NumberError as exc:
                errors.append(
                    Finding("R5", "error", f"{c.label}（{_path(c)}）：{exc}。", (c.address,))
                )
                value = None
        fig.put(doc, c, value)

    _parse_sections(raw.get("sections"), doc, errors)
    _parse_signature(raw.get("signature"), doc, errors)
    return parsed


_MISSING = object()


def _text(
    value: object,
    where: str,
    section: str | None,
    errors: list[Finding],
    *,
    max_length: int = NARRATIVE_MAX_CHARS,
    single_line: bool = False,
) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(_format_error(f"{where}应为文本。", section))
        return ""
    try:
        return clean_text(value, max_length=max_length, single_line=single_line)
    except TextError as exc:
        errors.append(_format_error(f"{where}：{exc}", section))
        return ""


def _line(value: str, where: str, max_length: int, errors: list[Finding]) -> str:
    return _text(value, where, None, errors, max_length=max_length, single_line=True)


def _parse_sections(raw: object, doc: dict, errors: list[Finding]) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        errors.append(_format_error("sections 应为对象。"))
        return
    sections = doc["sections"]
    general = raw.get("general") or []
    if not isinstance(general, list):
        errors.append(_format_error("sections.general 应为列表。", "general"))
        general = []
    for i, item in enumerate(general, 1):
        if not isinstance(item, dict):
            errors.append(_format_error(f"“一、总体情况”第{i}小节格式不正确。", "general"))
            continue
        where = f"“一、总体情况”第{i}小节"
        sections["general"].append(
            {
                "heading": _text(
                    item.get("heading"),
                    where + "标题",
                    "general",
                    errors,
                    max_length=HEADING_MAX,
                    single_line=True,
                ),
                "body": _text(item.get("body"), where + "正文", "general", errors),
            }
        )
    for n in schema.NARRATIVE:
        sections[n.key] = _text(raw.get(n.key), f"“{n.label}”", n.section, errors)


def _parse_signature(raw: object, doc: dict, errors: list[Finding]) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        errors.append(_format_error("signature 应为对象。"))
        return
    agency = raw.get("agency") or ""
    if not isinstance(agency, str):
        errors.append(_format_error("落款机关（signature.agency）应为文本。"))
        agency = ""
    doc["signature"]["agency"] = _line(
        agency, "落款机关（signature.agency）", SIGNATURE_MAX, errors
    )
    when = raw.get("date")
    if when:
        try:
            doc["signature"]["date"] = date.fromisoformat(str(when))
        except ValueError:
            shown = str(when)[:40]
            errors.append(_format_error(f"落款日期（signature.date）“{shown}”应为YYYY-MM-DD。"))


# --- writing JSON ----------------------------------------------------------------


def _json_value(value):
    if isinstance(value, Decimal):
        return format_fee(value)
    return value


def to_json(doc: dict) -> dict:
    """The document as a JSON-ready object, keys in the order of SPEC §4."""
    out: dict = {"agency": doc["agency"], "year": doc["year"], "title": doc["title"]}
    for t in schema.TABLES:
        table: dict = {}
        for c in schema.CELLS:
            if c.table != t:
                continue
            value = _json_value(fig.get(doc, c))
            if c.col is None:
                table[c.row] = value
            else:
                table.setdefault(c.row, {})[c.col] = value
        out[t] = table
    sections = doc.get("sections") or {}
    out["sections"] = {
        "general": [
            {"heading": s.get("heading", ""), "body": s.get("body", "")}
            for s in sections.get("general") or []
        ],
        **{key: sections.get(key) or "" for key in schema.NARRATIVE_KEYS},
    }
    signature = doc.get("signature") or {}
    when = signature.get("date")
    out["signature"] = {
        "agency": signature.get("agency", ""),
        "date": when.isoformat() if when else None,
    }
    return out


def dumps(doc: dict) -> bytes:
    """The document as the JSON file a download serves (UTF-8, Chinese unescaped)."""
    return json.dumps(to_json(doc), ensure_ascii=False, indent=1).encode()
