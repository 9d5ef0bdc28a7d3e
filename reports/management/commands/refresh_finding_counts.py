from django.core.management.base import BaseCommand

from reports.models import Report
from reports.models.counts import refresh


class Command(BaseCommand):
    help = (
        "Recompute the error, warning and blank-cell counts and the completion stored on "
        "reports (after a rule changed, or after data was written without the models)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="only the reports of this year")

    def handle(self, *args, year: int | None = None, **options) -> None:
        reports = Report.objects.select_related("agency").order_by("year", "pk")
        if year is not None:
            reports = reports.filter(year=year)
        done = 0
        for report in reports.iterator(chunk_size=500):
            refresh(report)
            done += 1
        self.stdout.write(f"已重新统计{done}份报告的检查结果。")
