import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.io.errors import ImportRefused
from reports.io.imports import import_bytes, import_document


class Command(BaseCommand):
    help = (
        "Import one report from JSON, an XLSX workbook or a published report "
        "(.txt/.md/.html); prints the report id last."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        notes = []
        try:
            if path.suffix.lower() == ".json":
                try:
                    raw = json.loads(data.decode("utf-8-sig"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise CommandError(f"{path} 不是有效的JSON文件：{exc}") from None
                report, findings = import_document(raw)
            else:
                result = import_bytes(data, path.name)
                report, findings, notes = result.report, result.findings, result.notes
        except ImportRefused as refused:
            for finding in refused.findings:
                self.stderr.write(f"[{finding.rule}] {finding.message}")
            raise CommandError(
                f"未导入：{len(refused.findings)}处错误，数据库未作任何修改。"
            ) from None
        for finding in notes + findings:
            self.stdout.write(f"[{finding.rule} {finding.severity_label}] {finding.message}")
        self.stdout.write(str(report.pk))
