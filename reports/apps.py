from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "年度报告"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads apps.py before any model exists.
        from django.db.models.signals import post_save

        from reports.models import GeneralSection, Report, counts, notices, regions, workflow
        from reports.printing import pdf, prerender

        counts.connect(Report, GeneralSection)
        regions.connect()
        workflow.report_published.connect(pdf.store_after_publication, dispatch_uid="pdf_store")
        post_save.connect(prerender.after_save, sender=Report, dispatch_uid="pdf_prerender")
        workflow.report_published.connect(
            prerender.after_publication, dispatch_uid="pdf_ua_prerender"
        )
        workflow.report_transition.connect(notices.on_transition, dispatch_uid="notices")
