"""The JSON Schema of the interchange format (SPEC §4), made from the template, and the
check of a JSON file against it.

The schema is what the public site publishes (``public:schema``) for the portals and
researchers who read the API and the bulk files, and what the JSON importer checks
files against: every file ``import_report`` accepts satisfies it. The codec
(``codec.parse``) still judges every value and names the cell in the clerk's words;
the schema adds what the codec does not look at (a misspelt row or column, which the
codec would skip as unknown) and, for a file the codec finds nothing wrong with, every
other departure from the format.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from reports.io.codec import AGENCY_MAX, HEADING_MAX, SIGNATURE_MAX, TITLE_MAX, YEAR_RANGE
from reports.rules import Finding
from reports.spec import schema
from reports.spec.numbers import DECIMAL
from reports.spec.text import NARRATIVE_MAX_CHARS

SCHEMA_VERSION = "2021"  # the template of 国办公开办函〔2021〕30号
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _value(c: schema.Cell) -> dict:
    if c.kind == "fee":
        return {
            "type": ["string", "null"],
            "pattern": DECIMAL,
            "description": f"{c.label}（万元，十进制字符串）",
        }
    return {
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": schema.MAX_COUNT,
        "description": c.label,
    }


def _table(table: str) -> dict:
    rows: dict[str, Any] = {}
    for c in schema.CELLS:
        if c.table != table:
            continue
        if c.col is None:
            rows[c.row] = _value(c)
        else:
            row = rows.setdefault(
                c.row,
                {"type": "object", "properties": {}, "additionalProperties": False},
            )
            row["properties"][c.col] = _value(c)
    for row in rows.values():
        if row.get("type") == "object":
            row["required"] = list(row["properties"])
    return {
        "type": "object",
        "properties": rows,
        "required": list(rows),
        "additionalProperties": False,
    }


def _text(max_length: int = NARRATIVE_MAX_CHARS) -> dict:
    return {"type": ["string", "null"], "maxLength": max_length}


@cache
def interchange_schema() -> dict:
    """The schema of one report (SPEC §4). Keys beyond the format's at the top level
    are allowed (a file may carry where it came from); inside the tables, sections and
    signature nothing else is."""
    sections = {key: _text() for key in schema.NARRATIVE_KEYS}
    sections["general"] = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"heading": _text(HEADING_MAX), "body": _text()},
            "additionalProperties": False,
        },
    }
    return {
        "$schema": DRAFT,
        "title": "政府信息公开工作年度报告交换格式（国办公开办函〔2021〕30号）",
        "description": "一份年度报告：三张表格的全部单元格（含合计）、各部分文字和落款。"
        "空白单元格为null；收费金额为十进制字符串（万元）。",
        "type": "object",
        "properties": {
            "agency": {"type": "string", "minLength": 1, "maxLength": AGENCY_MAX},
            "year": {"type": "integer", "minimum": YEAR_RANGE[0], "maximum": YEAR_RANGE[1]},
            "title": {"type": ["string", "null"], "maxLength": TITLE_MAX},
            **{t: _table(t) for t in schema.TABLES},
            "sections": {
                "type": "object",
                "properties": sections,
                "additionalProperties": False,
            },
            "signature": {
                "type": "object",
                "properties": {
                    "agency": {"type": ["string", "null"], "maxLength": SIGNATURE_MAX},
                    "date": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                },
                "additionalProperties": False,
            },
        },
        "required": ["agency", "year", *schema.TABLES],
        "additionalProperties": True,
    }


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(interchange_schema())


_LABELS = {".".join(p for p in c.address if p): c.label for c in schema.CELLS}


def _message(error: ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    where = f"{_LABELS[path]}（{path}）" if path in _LABELS else (path or "文件")
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        full = f"{path}.{missing}" if path else missing
        name = _LABELS.get(full, full)
        return f"不符合交换格式：缺少{name}（{full}）。"
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        instance = error.instance if isinstance(error.instance, dict) else {}
        extra = sorted(set(instance) - set(known))
        return f"不符合交换格式：{where}中有未知字段“{'、'.join(extra)}”。"
    if error.validator == "type":
        wanted = "或".join(_TYPES.get(t, t) for t in _types(error))
        return f"不符合交换格式：{where}的类型不对（应为{wanted}）。"
    if error.validator in ("minimum", "maximum", "minLength", "maxLength", "pattern"):
        return f"不符合交换格式：{where}的值“{error.instance}”超出允许的范围或格式。"
    return f"不符合交换格式：{where}：{error.message}"


_TYPES = {
    "string": "文本",
    "integer": "整数",
    "null": "null（空白）",
    "object": "对象",
    "array": "列表",
}


def _types(error: ValidationError) -> list[str]:
    expected = error.validator_value
    return list(expected) if isinstance(expected, list) else [str(expected)]


def findings(raw: object, *, unknown_keys_only: bool = False) -> list[Finding]:
    """What in ``raw`` departs from the schema, as refusing findings in Chinese.
    ``unknown_keys_only``: only the keys the format does not have (when the codec has
    already named the bad values, whose schema errors would repeat them)."""
    errors = sorted(_validator().iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    if unknown_keys_only:
        errors = [e for e in errors if e.validator == "additionalProperties"]
    return [Finding("格式", "error", _message(e)) for e in errors[:50]]
