from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig
from django.core import checks


class ReportsConfig(AppConfig):
    # The app's configuration although this module defines a second one (the admin's).
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        from . import finding_counts

        finding_counts.connect()


class AdminConfig(SimpleAdminConfig):
    """The admin without autodiscovery at start-up.

    The admin modules pull in django-import-export, which loads openpyxl: a fifth of a
    second that every process paid, among them ``export_report --format pdf``, whose
    speed is measured against plain WeasyPrint. goireport/urls.py discovers them
    instead, so every process that serves pages has them; the admin's system checks
    discover them first, so that ``manage.py check`` still checks every ModelAdmin.
    """

    def ready(self) -> None:
        from django.contrib.admin.checks import check_dependencies

        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_admin_after_autodiscover, checks.Tags.admin)


def check_admin_after_autodiscover(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from django.contrib.admin import autodiscover
    from django.contrib.admin.checks import check_admin_app

    autodiscover()  # idempotent: modules already imported are not imported again
    return check_admin_app(app_configs, **kwargs)
