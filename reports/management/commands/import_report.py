from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.io.errors import ImportRefused
from reports.io.imports import ACCEPTED, import_bytes
from reports.models import Agency


class Command(BaseCommand):
    help = (
        f"Import one report from {ACCEPTED} into an existing agency; prints the report id "
        "last. The agency is the one the file names (exactly, or the only one whose name "
        "ends with it); --agency names it when the file's name matches none or several."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--agency",
            help="import into this existing agency (its exact name) whatever the file says",
        )

    def handle(self, *args, path: Path, agency: str | None = None, **options) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        chosen = None
        if agency:
            chosen = Agency.objects.filter(name=agency).first()
            if chosen is None:
                raise CommandError(f"系统中没有名为“{agency}”的机关，请先在管理后台建立。")
        try:
            result = import_bytes(data, path.name, chosen=chosen)
        except ImportRefused as refused:
            for finding in refused.findings:
                self.stderr.write(f"[{finding.rule}] {finding.message}")
            if len(refused.findings) == 1:
                reason = refused.findings[0].message
                raise CommandError(f"未导入：{reason}数据库未作任何修改。") from None
            raise CommandError(
                f"未导入：{len(refused.findings)}处错误，数据库未作任何修改。"
            ) from None
        for finding in result.notes + result.findings:
            self.stdout.write(f"[{finding.rule} {finding.severity_label}] {finding.message}")
        if result.to_check:
            self.stdout.write(f"有{result.to_check}个单元格空白或存疑，请在报告页面核对。")
        self.stdout.write(str(result.report.pk))
