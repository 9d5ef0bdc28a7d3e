import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports.io import codec, xlsx
from reports.models import Report
from reports.printing import pdf, word


def _json(report: Report) -> bytes:
    data = codec.to_json(report.document())
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()


# The formats of ``--format``: each turns a saved report into the file's bytes.
WRITERS: dict[str, Callable[[Report], bytes]] = {
    "json": _json,
    "html": lambda report: pdf.render_html(report).encode(),
    "pdf": pdf.report_pdf,
    "xlsx": lambda report: xlsx.workbook_bytes(report.document()),
    "docx": lambda report: word.document_bytes(report.document()),
}


class Command(BaseCommand):
    help = "Write one report to a file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("report_id", type=int)
        parser.add_argument("--format", choices=list(WRITERS), default="json")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, report_id: int, format: str, output: Path, **options: Any) -> None:
        report = Report.objects.select_related("agency").filter(pk=report_id).first()
        if report is None:
            raise CommandError(f"没有编号为 {report_id} 的报告。")
        output.write_bytes(WRITERS[format](report))
        self.stdout.write(f"{output}")
