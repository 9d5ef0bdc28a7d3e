"""Work that spans models or has side effects: importing reports."""

from __future__ import annotations

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from . import codec, rules, schema
from .finding_counts import refresh_with_next_year
from .models import Agency, GeneralSection, Report
from .rules import Finding

# Findings that make an import refuse the whole file: a total that disagrees with its
# parts cannot be stored, since totals are derived from the parts.
REFUSING_RULES = ("R2", "R3", "R4")


class ImportRefused(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.message for f in findings))


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

    with transaction.atomic():
        agency, _ = Agency.objects.get_or_create(name=doc["agency"])
        report = (
            Report.objects.select_for_update()
            .filter(agency=agency, year=doc["year"])
            .order_by("-revision")
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
        # The sub-sections were bulk-created after the save: count again with them.
        refresh_with_next_year(report)
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
    report.opening = sections.get("opening", "")
    for key in schema.NOTE_KEYS.values():
        setattr(report, key, sections.get(key, ""))
    report.problems = sections.get("problems", "")
    report.other_matters = sections.get("other_matters", "")
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
