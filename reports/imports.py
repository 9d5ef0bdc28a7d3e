"""Importing a file of any supported kind: JSON, XLSX workbook, published text.

Every reader produces the interchange object of SPEC §4 and hands it to
``services.import_document``, so the rules, the all-or-nothing write and the refusal
to overwrite a report past draft are the same whatever the file was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .models import Report
from .rules import Finding
from .services import ImportRefused, import_document
from .textimport import TextImportError, parse_published

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


@dataclass
class ImportResult:
    report: Report
    findings: list[Finding]
    notes: list[Finding] = field(default_factory=list)  # what the reader flagged
    kind: str = ""


def refused(message: str, rule: str = "格式") -> ImportRefused:
    return ImportRefused([Finding(rule, "error", message)])


def detect_kind(data: bytes, name: str = "") -> str:
    """The kind of a file judged by its content; the name only separates the text
    kinds. Raises ImportRefused for content we never open (macros, old binary Office)."""
    from .xlsx import sniff_workbook

    if data.startswith(b"PK\x03\x04"):
        sniff_workbook(data)  # raises for macro-enabled or non-XLSX zip files
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refused("不接受旧版Office二进制文件（.xls/.doc），请另存为.xlsx或文本后再上传。")
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "json"
    if b"\x00" in data[:4096]:
        raise refused("无法识别的文件类型：应为JSON、XLSX、TXT、Markdown或HTML。")
    return "text"


def import_bytes(
    data: bytes,
    name: str = "",
    user=None,
    *,
    target: Report | None = None,
    agency=None,
    allowed: tuple[str, ...] = ("json", "xlsx", "text"),
) -> ImportResult:
    """Import one file, all or nothing. ``target``: the report the upload was made on;
    the file must then be that report's (same agency and year). ``agency``: the file
    must be that agency's (a clerk imports their own agency's reports only)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refused(
            f"文件过大（{len(data) // 1024} KB），上限为{MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
        )
    kind = detect_kind(data, name)
    if kind not in allowed:
        names = {"json": "JSON", "xlsx": "XLSX工作簿", "text": "已发布年报文本"}
        raise refused(f"此处只接受{'、'.join(names[k] for k in allowed)}。")
    notes: list[Finding] = []
    published = False
    if kind == "xlsx":
        from .xlsx import read_workbook

        raw = read_workbook(data)
        _keep_narrative(raw)
    elif kind == "json":
        try:
            raw = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise refused(f"不是有效的JSON文件：{exc}") from None
    else:
        try:
            parsed = parse_published(data, name)
        except TextImportError as exc:
            raise refused(str(exc)) from None
        raw, notes, published = parsed.raw, parsed.notes, True
    if target is not None:
        _check_target(raw, target)
    if agency is not None and isinstance(raw, dict) and raw.get("agency") != agency.name:
        raise refused(
            f"这份年报属于“{raw.get('agency')}”，您只能导入本机关（{agency.name}）的年报。",
            rule="机关",
        )
    report, findings = import_document(raw, user, published=published)
    return ImportResult(report, findings, notes, kind)


def _keep_narrative(raw: dict) -> None:
    """A workbook carries the tables only: the narrative of the report it updates stays."""
    from .codec import to_json

    existing = (
        Report.objects.select_related("agency")
        .filter(agency__name=raw.get("agency"), year=raw.get("year"))
        .first()
    )
    if existing is not None:
        current = to_json(existing.document())
        raw["sections"] = current["sections"]
        raw["signature"] = current["signature"]


def _check_target(raw: object, target: Report) -> None:
    if not isinstance(raw, dict):
        return
    if raw.get("agency") != target.agency.name or raw.get("year") != target.year:
        raise refused(
            f"文件属于“{raw.get('agency')}”{raw.get('year')}年，"
            f"与本报告（{target.agency.name}{target.year}年）不符。"
        )
