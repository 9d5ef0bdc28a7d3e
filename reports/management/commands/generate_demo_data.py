import argparse
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reports.demo import generate as demo_data

# Above this size the rules run once per prototype instead of once per report (which
# takes minutes at 3,000 agencies).
PROTOTYPES_ABOVE = 5000


class Command(BaseCommand):
    help = (
        "Generate a large realistic data set: a tree of governments and departments and "
        "rule-consistent reports for several years (some late, some with findings)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--agencies", type=int, default=3000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument(
            "--last-year", type=int, default=date.today().year - 1, help="the latest report year"
        )
        parser.add_argument("--root", default="示范市人民政府", help="name of the top government")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )
        parser.add_argument("--password", default="demo-2024-goireport", help="for the demo users")
        parser.add_argument("--replace", action="store_true", help="delete an existing tree first")
        parser.add_argument(
            "--prototypes",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="copy the reports from prototypes checked once, the rules never run per "
            f"report (the default above {PROTOTYPES_ABOVE} agencies)",
        )

    def handle(self, *args, agencies: int, years: int, last_year: int, root: str, **options):
        if agencies < 2 or years < 1:
            raise CommandError("--agencies 至少为2，--years 至少为1。")
        if demo_data.Agency.objects.filter(name=root).exists():
            if not options["replace"]:
                raise CommandError(f"已存在“{root}”；如需重新生成请加 --replace。")
            demo_data.remove(root)
        started = time.monotonic()

        def progress(year: int, total: int) -> None:
            self.stderr.write(
                f"{year}年报告已生成，累计{total}份（{time.monotonic() - started:.0f}秒）"
            )

        plan = demo_data.generate(
            agencies,
            years,
            last_year,
            root_name=root,
            seed=options["seed"],
            password=options["password"],
            progress=progress,
            prototypes=agencies > PROTOTYPES_ABOVE
            if options["prototypes"] is None
            else options["prototypes"],
        )
        if connection.vendor == "postgresql":
            # Fresh bulk-loaded tables have no statistics until autovacuum comes round;
            # without them the planner picks nested loops for the oversight queries.
            # VACUUM (outside a transaction only) also marks the pages all-visible, so
            # that the roll-up's look for missing agencies reads the index alone
            # (bench/oversight.py: 90 ms and parallel workers before, 7 ms after).
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"{command} reports_agency, reports_report, reports_generalsection,"
                    " reports_storedfinding, reports_regiontotal,"
                    # --replace deleted the old tree through the ORM, which recorded a
                    # history row for each sub-section deleted.
                    " reports_historicalreport, reports_historicalgeneralsection"
                )
        self.stdout.write(
            f"已生成“{plan.root.name}”：{len(plan.agencies)}个机关，{plan.reports}份报告；"
            f"登录用户 demo{plan.root.pk}-oversight（主管部门）、demo{plan.root.pk}-district、"
            f"demo{plan.root.pk}-clerk。"
        )
