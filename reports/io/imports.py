"""Importing reports: a file of any supported kind (JSON, XLSX workbook, published
text) or an interchange object, all or nothing.

Every reader produces the interchange object of SPEC §4 and hands it to
``import_document``, so the rules, the all-or-nothing write and the refusal to
overwrite a report past draft are the same whatever the file was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from reports import rules
from reports.io import codec
from reports.io.errors import ImportRefused, refused
from reports.io.published.parse import TextImportError, parse_published
from reports.io.xlsx import read_workbook, sniff_workbook
from reports.models import Agency, GeneralSection, Report, counts
from reports.rules import Finding
from reports.spec import schema

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    report: Report
    findings: list[Finding]
    notes: list[Finding] = field(default_factory=list)  # what the reader flagged
    kind: str = ""


# Findings that make an import refuse the whole file: a total that disagrees with its
# parts cannot be stored, since totals are derived from the parts.
REFUSING_RULES = ("R2", "R3", "R4")


def import_document(
    raw: object, user=None, *, published: bool = False
) -> tuple[Report, list[Finding]]:
    """Import one interchange object, all or nothing.

    Returns the report and the findings of the rules on what was imported (for
    instance R1 in a published report, or R5 for cells blank in the source).

    ``published=True`` is for figures read from a published report: its declared totals
    are what the agency published, so a total that disagrees with its parts (R2–R4) is
    reported instead of refused, the detail cells are stored and the totals derived
    from them. The findings returned are then those of the published text as read
    (declared totals and the headings found), which is what the reader must see.
    """
    parsed = codec.parse(raw)
    doc = parsed.doc
    refusing = list(parsed.errors)
    if published and isinstance(raw, dict) and isinstance(raw.get("headings"), list):
        doc["headings"] = [str(h) for h in raw["headings"]]
    if parsed.ok and not published:
        refusing += [f for f in rules.check(doc) if f.rule in REFUSING_RULES]
    if refusing:
        raise ImportRefused(refusing)

    with transaction.atomic(), counts.deferred():
        agency, _ = Agency.objects.get_or_create(name=doc["agency"])
        report = (
            Report.objects.current()
            .select_for_update()
            .filter(agency=agency, year=doc["year"])
            .first()
        )
        if report is not None and not report.is_editable:
            raise ImportRefused(
                [
                    Finding(
                        "状态",
                        "error",
                        f"{agency.name}{doc['year']}年的报告状态为“{report.get_status_display()}”，"
                        "只有草稿或已退回的报告可以被导入覆盖。",
                    )
                ]
            )
        if report is None:
            report = Report(agency=agency, year=doc["year"], created_by=user)
        apply_document(report, doc)
        counts.note(report)  # with the sub-sections bulk-created after the save
    if published:
        # What the reader must see is the published text as read, declared totals
        # and headings included, judged against last year as any report is.
        return report, rules.check(doc, report.rule_context())
    return report, report.findings()


def apply_document(report: Report, doc: dict) -> None:
    """Overwrite a report's content with a parsed document and save it."""
    report.title = doc["title"] or schema.title_for(report.agency.name, report.year)
    report.set_figures(doc)
    sections = doc["sections"]
    for key in schema.NARRATIVE_KEYS:
        setattr(report, key, sections.get(key, ""))
    signature = doc.get("signature") or {}
    report.signature_agency = signature.get("agency") or report.agency.name
    report.signature_date = signature.get("date")
    report.save()
    report.general.all().delete()
    bulk_create_with_history(
        [
            GeneralSection(report=report, position=i, heading=s["heading"], body=s["body"])
            for i, s in enumerate(sections.get("general") or [])
        ],
        GeneralSection,
    )


def detect_kind(data: bytes, name: str = "") -> str:
    """The kind of a file judged by its content; the name only separates the text
    kinds. Raises ImportRefused for content we never open (macros, old binary Office)."""
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
    if not isinstance(raw.get("agency"), str) or not isinstance(raw.get("year"), int):
        return  # the codec names what is wrong
    existing = (
        Report.objects.current()
        .select_related("agency")
        .filter(agency__name=raw["agency"], year=raw["year"])
        .first()
    )
    if existing is not None:
        current = codec.to_json(existing.document())
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
