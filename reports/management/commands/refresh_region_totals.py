from django.core.management.base import BaseCommand
from django.db import transaction

from reports.models import regions


class Command(BaseCommand):
    help = (
        "Rebuild the stored totals of every region from the current reports (after data "
        "was written without the models, e.g. SQL, or agencies moved in bulk)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="only the totals of this year")

    def handle(self, *args, year: int | None = None, **options) -> None:
        with transaction.atomic():
            done = regions.rebuild([year] if year is not None else None)
        self.stdout.write(f"已重新汇总{done}个区域年度。")
