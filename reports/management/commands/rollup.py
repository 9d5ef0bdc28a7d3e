import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import Agency
from reports.oversight import rollup as rollups
from reports.oversight.xlsx import rollup_workbook
from reports.printing import pdf

FORMATS = ["json", "xlsx", "pdf"]


def rollup_pdf(rollup: rollups.Rollup) -> bytes:
    return pdf.document_pdf(rollup.document())


class Command(BaseCommand):
    help = "Sum the three tables over the reports of a subtree (or of all agencies) for a year."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--parent", help="name of the agency whose subtree is summed")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, year: int, parent: str | None, format: str, output: Path, **options):
        agency = None
        if parent:
            agency = Agency.objects.filter(name=parent.strip()).first()
            if agency is None:
                raise CommandError(f"没有名为“{parent}”的机关。")
        rollup = rollups.compute(year, agency)
        if format == "json":
            text = json.dumps(rollup.as_json(), ensure_ascii=False, indent=1)
            output.write_text(text + "\n", encoding="utf-8")
        elif format == "xlsx":
            output.write_bytes(rollup_workbook(rollup))
        else:
            output.write_bytes(rollup_pdf(rollup))
        self.stderr.write(
            f"{rollup.title}：纳入{rollup.reports}份报告，"
            f"未报送{rollup.missing_count}个机关，空白单元格{len(rollup.blank_cells)}个（按0计）。"
        )
        self.stdout.write(str(output))
