"""Reading the numbers clerks type (SPEC §3).

Full-width digits, thousands separators and surrounding spaces are normalised; anything
else that is not a plain non-negative number is refused with a Chinese reason. Every
input path (forms, JSON import, later XLSX and text import) goes through here.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from reports.spec import schema


class NumberError(ValueError):
    """A value that cannot be a cell's number; ``str()`` is the Chinese reason."""


# The grammar of a number once normalised, shared with the editing page's live checks
# (``client_rules``), which must judge a typed value exactly as the server will.
SPACES = r"[\s\u3000\u00a0]+"
GROUPED = r"^\d{1,3}(,\d{3})+$"
PLAIN_INT = r"^\d+$"
DECIMAL = r"^\d+(\.\d+)?$"
FEE_UNIT = "万元"
_SPACES = re.compile(SPACES)
_GROUPED = re.compile(GROUPED)
_PLAIN_INT = re.compile(PLAIN_INT)
_DECIMAL = re.compile(DECIMAL)
_COUNT_DIGITS = len(str(schema.MAX_COUNT))


def _prepare(raw: str) -> str:
    # NFKC turns full-width digits, commas, minus signs and points into ASCII.
    text = unicodedata.normalize("NFKC", raw)
    text = text.replace("，", ",").replace("−", "-").replace("－", "-")
    return _SPACES.sub("", text)


def _refuse_common(text: str) -> None:
    if text.startswith("="):
        raise NumberError("不接受公式，请直接填写数字")
    if text.startswith("-"):
        raise NumberError("不能为负数")


def _ungroup(text: str) -> str:
    if "," not in text:
        return text
    integer, _, fraction = text.partition(".")
    if not _GROUPED.match(integer):
        raise NumberError("千位分隔符位置不正确")
    return integer.replace(",", "") + ("." + fraction if fraction else "")


def parse_count(raw: object) -> int | None:
    """A non-negative whole number of at most 2,147,483,647, or None for blank."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberError("应为非负整数")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        # JSON parsers hand over 3.0 for "3.0": still a decimal written in a count.
        raise NumberError("应为整数，不能有小数")
    else:
        text = _prepare(str(raw))
        if text == "":
            return None
        _refuse_common(text)
        text = _ungroup(text)
        if _DECIMAL.match(text) and not _PLAIN_INT.match(text):
            raise NumberError("应为整数，不能有小数")
        if not _PLAIN_INT.match(text):
            raise NumberError("应为非负整数，不能含有文字或符号")
        # Digits counted before int(): Python refuses to convert more than 4,300 of
        # them (ValueError, not ours), and no count needs more than MAX_COUNT's.
        if len(text.lstrip("0")) > _COUNT_DIGITS:
            raise NumberError(f"超过上限 {schema.MAX_COUNT:,}")
        value = int(text)
    if value < 0:
        raise NumberError("不能为负数")
    if value > schema.MAX_COUNT:
        raise NumberError(f"超过上限 {schema.MAX_COUNT:,}")
    return value


def parse_fee(raw: object) -> Decimal | None:
    """A non-negative amount in 万元 with at most six decimal places, or None.

    Kept as a Decimal exactly as written: a binary float would lose the fen.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberError("应为非负数（单位：万元）")
    if isinstance(raw, float):
        raise NumberError("金额应写为字符串形式的小数，以免精度丢失")
    text = _prepare(str(raw))
    if text.endswith(FEE_UNIT):
        text = text[: -len(FEE_UNIT)]
    if text == "":
        return None
    _refuse_common(text)
    text = _ungroup(text)
    if not _DECIMAL.match(text):
        raise NumberError("应为非负数（单位：万元），不能含有文字或符号")
    if len(text.split(".")[0].lstrip("0")) > schema.FEE_MAX_DIGITS - schema.FEE_DECIMAL_PLACES:
        raise NumberError("金额过大")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise NumberError("应为非负数（单位：万元）") from None
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > schema.FEE_DECIMAL_PLACES:
        raise NumberError(f"最多保留{schema.FEE_DECIMAL_PLACES}位小数")
    return value


def parse_cell(c: schema.Cell, raw: object):
    return parse_fee(raw) if c.kind == "fee" else parse_count(raw)


def format_fee(value: Decimal | None) -> str | None:
    """The fee as the decimal string of the JSON format, without exponent or padding."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def client_rules() -> dict:
    """What the editing page's script needs to read a typed number as ``parse_count``
    and ``parse_fee`` do: the patterns and limits above (the script applies NFKC and
    the separators itself, as ``_prepare`` does)."""
    return {
        "spaces": SPACES,
        "grouped": GROUPED,
        "count": {"pattern": PLAIN_INT, "max": schema.MAX_COUNT},
        "fee": {
            "pattern": DECIMAL,
            "unit": FEE_UNIT,
            "decimals": schema.FEE_DECIMAL_PLACES,
            "integerDigits": schema.FEE_MAX_DIGITS - schema.FEE_DECIMAL_PLACES,
        },
    }
