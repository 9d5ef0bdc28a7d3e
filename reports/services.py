"""Work that spans models or has side effects: importing reports."""

from __future__ import annotations

from django.db import transaction

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


def import_document(raw: object, user=None) -> tuple[Report, list[Finding]]:
    """Import one interchange object, all or nothing.

    Returns the report and the findings of the rules on what was imported (for
    instance R1 in a published report, or R5 for cells blank in the source).
    """
    parsed = codec.parse(raw)
    doc = parsed.doc
    refusing = list(parsed.errors)
    if parsed.ok:
        refusing += [f for f in rules.check(doc) if f.rule in REFUSING_RULES]
    if refusing:
        raise ImportRefused(refusing)

    with transaction.atomic():
        agency, _ = Agency.objects.get_or_create(name=doc["agency"])
        report = Report.objects.select_for_update().filter(agency=agency, year=doc["year"]).first()
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
    GeneralSection.objects.bulk_create(
        GeneralSection(report=report, position=i, heading=s["heading"], body=s["body"])
        for i, s in enumerate(sections.get("general") or [])
    )
