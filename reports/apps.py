from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        from . import finding_counts

        finding_counts.connect()
