import json

from django.core.management.base import BaseCommand, CommandError

from reports.models import Report
from reports.rules import has_errors


class Command(BaseCommand):
    help = "Print the rules' findings for one report; exit 1 when any is an error."

    def add_arguments(self, parser) -> None:
        parser.add_argument("report_id", type=int)
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, report_id: int, **options) -> None:
        report = Report.objects.select_related("agency").filter(pk=report_id).first()
        if report is None:
            raise CommandError(f"没有编号为 {report_id} 的报告。")
        findings = report.findings()
        if options["json"]:
            payload = {"report": report.pk, "findings": [f.as_dict() for f in findings]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
        else:
            for f in findings:
                self.stdout.write(f"{f.rule}\t{f.severity_label}\t{f.message}")
            if not findings:
                self.stdout.write("检查通过，没有发现问题。")
        if has_errors(findings):
            raise SystemExit(1)
