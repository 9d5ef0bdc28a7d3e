import json
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from reports.demo.generate import follow_up
from reports.io import codec
from reports.io.errors import ImportRefused
from reports.io.imports import import_document
from reports.io.newyear import start_report
from reports.io.published.parse import TextImportError, parse_published
from reports.models import Agency, Report, Status, User
from reports.spec.calendar import reporting_year

DEMO_FILE = settings.BASE_DIR / "fixtures" / "demo.json"


class Command(BaseCommand):
    help = (
        "Load the demo agencies, users and the seed reports, the reports of the years "
        "since the seeds (generated, published on time) and this year's drafts. Safe to "
        "run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="the date the demo is for (YYYY-MM-DD), by default today",
        )

    def handle(self, *args, today: date | None = None, **options) -> None:
        demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        # The drafts are for the year being reported on now, so that the demo never
        # shows a report long overdue; the years between the seeds and it are filled
        # with reports published on time.
        year = reporting_year(today or timezone.localdate())
        with transaction.atomic():
            agencies = self._agencies(demo["agencies"])
            self._users(demo["users"], demo["password"], agencies)
            self._seeds()
            self._years_since_the_seeds(year)
            for draft in demo["drafts"]:
                agency = agencies[draft["agency"]]
                if not Report.objects.filter(agency=agency, year=year).exists():
                    start_report(agency, year)
        self.stdout.write(
            f"演示数据已就绪：{Agency.objects.count()}个机关，{Report.objects.count()}份报告。"
        )

    def _agencies(self, rows: list[dict]) -> dict[str, Agency]:
        agencies: dict[str, Agency] = {}
        for row in rows:
            agency, _ = Agency.objects.get_or_create(name=row["name"])
            agency.parent = agencies[row["parent"]] if row["parent"] else None
            agency.is_government = row.get("is_government", False)
            agency.save()
            agencies[agency.name] = agency
        return agencies

    def _users(self, rows: list[dict], password: str, agencies: dict[str, Agency]) -> None:
        for row in rows:
            user, created = User.objects.get_or_create(username=row["username"])
            user.first_name = row["first_name"]
            # Notices are e-mailed too; the demo's go to the console, to reserved addresses.
            user.email = row.get("email") or f"{row['username']}@demo.example"
            user.role = row["role"]
            user.agency = agencies[row["agency"]] if row["agency"] else None
            user.is_staff = user.is_superuser = row.get("superuser", False)
            if created:
                user.set_password(password)
            user.save()

    def _years_since_the_seeds(self, year: int) -> None:
        """Each seed agency's published reports up to the year before ``year``."""
        for agency in Agency.objects.filter(reports__isnull=False).distinct():
            last = Report.objects.current().filter(agency=agency).order_by("-year").first()
            while last is not None and last.year < year - 1:
                doc = follow_up(agency, last.year + 1, last.document())
                try:
                    report, _ = import_document(codec.to_json(doc), agency=agency)
                except ImportRefused as refused:
                    raise CommandError(f"{agency.name}{last.year + 1}: {refused}") from None
                report.status = Status.PUBLISHED
                report.published_on = report.signature_date
                report.save(update_fields=["status", "published_on"])
                last = report

    def _seeds(self) -> None:
        if not settings.SEEDS_DIR.is_dir():
            raise CommandError(f"找不到样例年报目录 {settings.SEEDS_DIR}（可用 SEEDS_DIR 指定）。")
        for path in sorted(settings.SEEDS_DIR.glob("*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            text = path.with_suffix(".txt")
            if text.is_file():
                # The figures come from the hand-read JSON; the narrative from the text.
                try:
                    published = parse_published(text.read_bytes(), text.name).raw
                except TextImportError as exc:
                    raise CommandError(f"{text.name}: {exc}") from None
                raw["sections"] = published["sections"]
                raw["signature"] = published["signature"]
            existing = Report.objects.filter(agency__name=raw["agency"], year=raw["year"]).first()
            if existing is not None and not existing.is_editable:
                continue
            try:
                report, _ = import_document(raw)
            except ImportRefused as refused:
                raise CommandError(f"{path.name}: {refused}") from None
            report.status = Status.PUBLISHED
            # The seeds do not say when they went online; the signed date is the best
            # evidence there is, and without one the date stays unknown.
            report.published_on = report.signature_date
            report.save(update_fields=["status", "published_on"])
