import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import codec
from reports.exporters import WRITERS
from reports.models import Report

FORMATS = ["json", "html", "pdf", *WRITERS]


class Command(BaseCommand):
    help = "Write one report to a file."
    # Like Django's dumpdata: an export changes nothing, and the checks would load every
    # URL module and the admin (a quarter of a second) before each PDF.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("report_id", type=int)
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, report_id: int, format: str, output: Path, **options) -> None:
        report = Report.objects.select_related("agency").filter(pk=report_id).first()
        if report is None:
            raise CommandError(f"没有编号为 {report_id} 的报告。")
        if format in WRITERS:
            WRITERS[format](report, output)
            self.stdout.write(f"{output}")
            return
        if format == "json":
            data = codec.to_json(report.document())
            output.write_text(
                json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
        else:
            # Imported here: WeasyPrint is loaded only by the formats that need it.
            from reports import pdf

            if format == "html":
                output.write_text(pdf.render_html(report), encoding="utf-8")
            else:
                output.write_bytes(pdf.report_pdf(report))
        self.stdout.write(f"{output}")
