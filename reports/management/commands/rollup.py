import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import render as rendering
from reports import rollup as rollups
from reports.models import Agency
from reports.oversight_xlsx import rollup_workbook

FORMATS = ["json", "xlsx", "pdf"]


def rollup_pdf(rollup: rollups.Rollup) -> bytes:
    """The roll-up through the report PDF renderer (reports/pdf.py, built separately).

    Imported lazily so json and xlsx work on a branch without it."""
    try:
        from reports import pdf
    except ImportError:
        raise CommandError(
            "PDF格式需要打印模块 reports/pdf.py，当前版本尚未包含；请改用 --format json 或 xlsx。"
        ) from None
    renderer = getattr(pdf, "render_pdf", None)
    if renderer is None:
        raise CommandError("reports/pdf.py 没有提供 render_pdf(rendered) 函数，无法输出PDF。")
    return renderer(rendering.render_document(rollup.document()))


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
