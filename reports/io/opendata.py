"""Open data: a year's figures for a region as one CSV (Chinese headers, one row per
report, one column per cell of the template, totals included) or as JSON (one object
of the interchange format per report, each valid against ``interchange``'s schema)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal

from reports.io import codec
from reports.io.xlsx import neutralise
from reports.models import Report
from reports.spec import figures as fig
from reports.spec import schema
from reports.spec.numbers import format_fee

FIXED_HEADERS = ("机关", "年度", "标题", "修订版本", "发布日期", "日期说明")


def headers() -> list[str]:
    """The CSV's header row: who and when, then every cell by its label as the
    template names it (表三 （一）予以公开 · 自然人)."""
    return [*FIXED_HEADERS, *(c.label for c in schema.CELLS)]


def csv_bytes(reports: Iterable[Report]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese right; every text
    a person wrote is neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    for report in reports:
        figures = report.figures()
        when = getattr(report, "release_on", report.published_on)
        signed = getattr(report, "release_is_signed", False)
        row: list[object] = [
            neutralise(report.agency.name),
            report.year,
            neutralise(report.title),
            report.revision,
            when.isoformat() if when else "",
            "落款日期" if signed else ("发布日期" if when else "未载明"),
        ]
        for c in schema.CELLS:
            value = fig.get(figures, c)
            if value is None:
                row.append("")
            else:
                row.append(format_fee(value) if isinstance(value, Decimal) else value)
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def json_bytes(reports: Iterable[Report], region: str, year: int) -> bytes:
    data = {
        "region": region,
        "year": year,
        "reports": [codec.to_json(report.document()) for report in reports],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode()
