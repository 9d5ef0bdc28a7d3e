"""Importing reports: a file of any supported kind (JSON, XLSX workbook, a published
report as Word, PDF, web page or text) or an interchange object, all or nothing.

Every reader produces the interchange object of SPEC §4 and hands it to
``import_document``, so the rules, the all-or-nothing write and the refusal to
overwrite a report past draft are the same whatever the file was. ``import_bytes`` is
the one path of every upload: the command ``import_report``, the page 从已发布年报导入,
the workbook upload on a report and the oversight office's batch import; it finds the
agency the file belongs to among those that exist (never creating one) and records
where every cell came from (``reports.io.importlog``).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from reports import rules
from reports.io import codec, importlog, interchange
from reports.io.archive import ArchiveRefused, open_zip
from reports.io.errors import ImportRefused, refused
from reports.io.published.parse import TextImportError, parse_published
from reports.io.published.tables import Address
from reports.io.published.tokens import CellRead
from reports.io.xlsx import MAX_UNCOMPRESSED, read_workbook, sniff_workbook
from reports.models import Agency, GeneralSection, ImportLog, Report, counts
from reports.rules import Finding
from reports.spec import schema

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What a Word file or workbook may hold unpacked (its pictures included).
MAX_UNPACKED = MAX_UNCOMPRESSED
KIND_NAMES = {
    "json": "JSON",
    "xlsx": "XLSX工作簿",
    "docx": "Word文档",
    "pdf": "PDF",
    "html": "网页",
    "text": "文本",
}
ACCEPTED = "JSON、XLSX工作簿、Word文档（.docx）、PDF、网页（.html）或文本（.txt/.md）"


class AgencyUnresolved(ImportRefused):
    """The agency the title names matches no agency, or several: a person chooses."""

    def __init__(self, name: str, candidates: list[Agency], message: str):
        self.name = name
        self.candidates = candidates
        super().__init__([Finding("机关", "error", message)])


@dataclass
class Reading:
    """A file read into an interchange object, before anything is stored."""

    raw: dict
    kind: str
    published: bool = False
    notes: list[Finding] = field(default_factory=list)
    reads: dict[Address, CellRead] = field(default_factory=dict)


@dataclass
class ImportResult:
    report: Report
    findings: list[Finding]
    notes: list[Finding] = field(default_factory=list)  # what the reader flagged
    kind: str = ""
    log: ImportLog | None = None
    agency_note: str = ""  # how the title's name was matched to the agency

    @property
    def to_check(self) -> int:
        return self.log.to_check().count() if self.log is not None else 0


# Findings that make an import refuse the whole file: a total that disagrees with its
# parts cannot be stored, since totals are derived from the parts.
REFUSING_RULES = ("R2", "R3", "R4")


def import_document(
    raw: object,
    user=None,
    *,
    published: bool = False,
    agency: Agency | None = None,
    check_schema: bool = False,
) -> tuple[Report, list[Finding]]:
    """Import one interchange object, all or nothing, into ``agency`` (by default the
    existing agency of the name the object gives; an unknown name is refused, never
    made into a new agency).

    Returns the report and the findings of the rules on what was imported (for
    instance R1 in a published report, or R5 for cells blank in the source).

    ``published=True`` is for figures read from a published report: its declared totals
    are what the agency published, so a total that disagrees with its parts (R2–R4) is
    reported instead of refused, the detail cells are stored and the totals derived
    from them. The findings returned are then those of the published text as read
    (declared totals and the headings found), which is what the reader must see.

    ``check_schema=True`` is for a JSON file: it must also satisfy the published JSON
    Schema of the format (``interchange``).
    """
    parsed = codec.parse(raw)
    doc = parsed.doc
    refusing = list(parsed.errors)
    if check_schema:
        refusing += interchange.findings(raw, unknown_keys_only=bool(refusing))
    if published and isinstance(raw, dict) and isinstance(raw.get("headings"), list):
        doc["headings"] = [None if h is None else str(h) for h in raw["headings"]]
    if parsed.ok and not published:
        refusing += [f for f in rules.check(doc) if f.rule in REFUSING_RULES]
    if refusing:
        raise ImportRefused(refusing)
    if agency is None:
        agency = Agency.objects.filter(name=doc["agency"]).first()
        if agency is None:
            raise refused(
                f"系统中没有名为“{doc['agency']}”的机关，未导入。请核对文件中的机关名称，"
                "或由管理员先在“机关”中建立该机关。",
                rule="机关",
            )

    with transaction.atomic(), counts.deferred():
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
        report.agency = agency
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
        try:
            with open_zip(data, max_unpacked=MAX_UNPACKED) as archive:
                names = set(archive.namelist())
        except ArchiveRefused as exc:
            raise refused(str(exc)) from None
        except (zipfile.BadZipFile, OSError, ValueError):
            raise refused("文件已损坏，无法打开。") from None
        if "word/document.xml" in names:
            return "docx"
        sniff_workbook(data)  # raises for macro-enabled or non-XLSX zip files
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refused(
            "不接受旧版Office二进制文件（.doc/.xls/.wps），请在Word或WPS中另存为.docx"
            "（工作簿另存为.xlsx）后再上传。"
        )
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") or name.lower().endswith(".json"):
        return "json"
    if data[:4] in (b"\x89PNG", b"GIF8") or data[:2] == b"\xff\xd8":
        raise refused(f"这是图片或其他二进制文件，无法读取。请上传{ACCEPTED}。")
    if b"\x00" in data[:4096]:
        raise refused(f"无法识别的文件类型：应为{ACCEPTED}。")
    lower = head.lower()
    if lower.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<meta")):
        return "html"
    if name.lower().endswith((".html", ".htm", ".shtml")):
        return "html"
    return "text"


def read_file(data: bytes, name: str = "", allowed: tuple[str, ...] | None = None) -> Reading:
    """Read a file of any kind (or of the ``allowed`` kinds) into an interchange object;
    nothing is stored."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise refused(
            f"文件过大（{len(data) // 1024} KB），上限为{MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
        )
    if not data.strip():
        raise refused("文件是空的。")
    kind = detect_kind(data, name)
    if allowed is not None and kind not in allowed:
        raise refused(f"此处只接受{'、'.join(KIND_NAMES[k] for k in allowed)}。")
    if kind == "xlsx":
        raw = read_workbook(data)
        _keep_narrative(raw)
        return Reading(raw, kind)
    if kind == "json":
        return Reading(read_json(data), kind)
    try:
        parsed = parse_published(data, name)
    except TextImportError as exc:
        raise refused(str(exc)) from None
    return Reading(parsed.raw, kind, True, parsed.notes, parsed.reads)


# Longer integers are handed to the codec as text, which names the cell ("超过上限"):
# int() of more than 4,300 digits raises inside the parser.
_MAX_JSON_INT_DIGITS = 20


def _json_int(text: str) -> int | str:
    return int(text) if len(text.lstrip("-")) <= _MAX_JSON_INT_DIGITS else text


def read_json(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refused("不是有效的JSON文件：应为UTF-8编码。") from None
    try:
        return json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise refused(f"不是有效的JSON文件：第{exc.lineno}行第{exc.colno}列格式有误。") from None
    except RecursionError:
        # An interchange object is four levels deep; the parser gives up on thousands
        # (100,000 nested arrays) before using much memory.
        raise refused("不是有效的年报JSON文件：嵌套层级过深。") from None


def resolve_agency(
    raw: object,
    *,
    agency: Agency | None = None,
    within: Agency | None = None,
) -> tuple[Agency, str]:
    """The existing agency a file is for, and how its name was matched.

    ``agency``: the file must be this agency's (a clerk imports their own agency's
    reports only). ``within``: the agency is looked for beneath this one (an oversight
    office's departments). Otherwise among all agencies."""
    name = raw.get("agency") if isinstance(raw, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise refused("未能从文件中读出机关名称（标题应为“某机关某年政府信息公开工作年度报告”）。")
    if agency is not None:
        if not Agency.objects.filter(pk=agency.pk).matching(name):
            raise refused(
                f"这份年报属于“{name}”，您只能导入本机关（{agency.name}）的年报。", rule="机关"
            )
        return agency, _matched_note(name, agency)
    pool = within.subtree() if within is not None else Agency.objects.all()
    found = pool.matching(name)
    scope = f"{within.name}及其下级机关中" if within is not None else "系统中"
    if not found:
        raise AgencyUnresolved(
            name,
            [],
            f"{scope}没有与“{name}”对应的机关，未导入。请核对年报标题中的机关名称，"
            "指定导入到哪个机关，或由管理员先建立该机关。",
        )
    if len(found) > 1:
        names = "、".join(a.name for a in found[:10])
        raise AgencyUnresolved(
            name, found, f"“{name}”可能是以下机关之一：{names}。请指定导入到哪个机关。"
        )
    return found[0], _matched_note(name, found[0])


def _matched_note(name: str, agency: Agency) -> str:
    if name == agency.name:
        return ""
    return f"年报标题中的机关名称“{name}”已对应到“{agency.name}”。"


def import_bytes(
    data: bytes,
    name: str = "",
    user=None,
    *,
    target: Report | None = None,
    agency: Agency | None = None,
    within: Agency | None = None,
    chosen: Agency | None = None,
    year: int | None = None,
    allowed: tuple[str, ...] | None = None,
) -> ImportResult:
    """Import one file, all or nothing, and log where its cells came from.

    ``target``: the report the upload was made on; the file must then be that
    report's (same agency and year). ``agency``/``within``: see ``resolve_agency``.
    ``chosen``: the agency a person chose for the file (its name matched none or
    several). ``year``: the year the file must be of (a batch is for one year)."""
    reading = read_file(data, name, allowed)
    raw = reading.raw
    if year is not None and isinstance(raw, dict) and raw.get("year") != year:
        raise refused(f"这份年报是{raw.get('year')}年度的，本次导入的是{year}年度。", rule="年度")
    note = ""
    if target is not None:
        _check_target(raw, target)
        into = target.agency
    elif chosen is not None:
        into = chosen
    else:
        into, note = resolve_agency(raw, agency=agency, within=within)
    with transaction.atomic():
        report, findings = import_document(
            raw, user, published=reading.published, agency=into, check_schema=reading.kind == "json"
        )
        log = importlog.record(report, reading, name, user, findings)
    notes = list(reading.notes)
    if note:
        notes.insert(0, Finding("机关", "info", note))
    return ImportResult(report, findings, notes, reading.kind, log, note)


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
