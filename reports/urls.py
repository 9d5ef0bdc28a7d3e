"""The app's URLs, in three namespaces that goireport/urls.py mounts: ``reports``
(signed-in work on reports), ``public`` (the public site) and ``oversight``."""

from django.urls import path

from reports.views import (
    circular,
    editor,
    exports,
    files,
    history,
    imports,
    notices,
    opendata,
    oversight,
    public,
    reports,
    review,
    triage,
    workflow,
)

reports_patterns = (
    [
        path("", reports.report_list, name="list"),
        path("new/", reports.report_create, name="create"),
        path("<int:pk>/", reports.report_detail, name="detail"),
        path("<int:pk>/preview/", reports.report_preview, name="preview"),
        path("<int:pk>/history/", history.report_history, name="history"),
        path("<int:pk>/events/", history.report_events, name="events"),
        path("<int:pk>/export.json", files.report_json, name="export_json"),
        path("<int:pk>/report.pdf", files.report_pdf, name="pdf"),
        path("<int:pk>/report.html", files.report_html, name="html"),
        path("<int:pk>/report.xlsx", files.report_xlsx, name="xlsx"),
        path("<int:pk>/report.docx", files.report_docx, name="docx"),
        path("<int:pk>/edit/<slug:section>/", editor.report_section, name="section"),
        path("<int:pk>/edit/<slug:section>/autosave/", editor.autosave, name="autosave"),
        path("<int:pk>/submit/", workflow.submit, name="submit"),
        path("<int:pk>/approve/", workflow.approve, name="approve"),
        path("<int:pk>/return/", workflow.return_to_clerk, name="return"),
        path("<int:pk>/publish/", workflow.publish, name="publish"),
        path("<int:pk>/revise/", workflow.start_revision, name="revise"),
        path("<int:pk>/correct/", workflow.send_for_correction, name="correct"),
        path("<int:pk>/annotations/", review.annotate, name="annotate"),
        path(
            "<int:pk>/annotations/<int:annotation_pk>/answer/",
            review.answer,
            name="annotation_answer",
        ),
        path(
            "<int:pk>/annotations/<int:annotation_pk>/resolve/",
            review.resolve,
            name="annotation_resolve",
        ),
        path(
            "<int:pk>/annotations/<int:annotation_pk>/reopen/",
            review.reopen,
            name="annotation_reopen",
        ),
        path("<int:pk>/changes/", review.changes, name="changes"),
        path("<int:pk>/upload-xlsx/", files.report_upload_xlsx, name="upload_xlsx"),
        path("<int:pk>/confirm-import/", imports.confirm_import, name="confirm_import"),
        path(
            "<int:pk>/findings/<slug:fingerprint>/mark/",
            triage.mark_finding,
            name="mark_finding",
        ),
        path("import/", imports.import_published, name="import_published"),
        path("import/batch/", imports.import_batch, name="import_batch"),
        path("import/batch/<int:pk>/", imports.import_job, name="import_job"),
        path("import/batch/<int:pk>/status/", imports.import_job_status, name="import_job_status"),
        path(
            "import/batch/<int:pk>/files/<int:file_pk>/agency/",
            imports.import_job_assign,
            name="import_job_assign",
        ),
        path("notices/", notices.notice_list, name="notices"),
        path("notices/<int:pk>/open/", notices.notice_open, name="notice_open"),
        path("notices/read-all/", notices.notice_read_all, name="notices_read_all"),
        path("exports/", exports.exports, name="exports"),
        path("exports/<int:pk>/", exports.export_job, name="export_job"),
        path("exports/<int:pk>/status/", exports.export_job_status, name="export_status"),
        path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    ],
    "reports",
)

public_patterns = (
    [
        path("", public.public_list, name="list"),
        path("<int:pk>/", public.public_detail, name="detail"),
        path("<int:pk>/report.pdf", public.public_pdf, name="pdf"),
        path("<int:pk>/report-ua.pdf", public.public_pdf_ua, name="pdf_ua"),
        path("<int:pk>/report.docx", public.public_docx, name="docx"),
        path("<int:pk>/report.json", public.public_json, name="json"),
        path("<int:pk>/report.html", public.public_html, name="html"),
        path("regions/", public.region_index, name="regions"),
        path("regions/<int:region>/<int:year>/", public.region_year, name="region_year"),
        # Open data: stable URLs, documented in the README.
        path("schema/report-2021.schema.json", opendata.schema_view, name="schema"),
        path("api/reports/", opendata.api_reports, name="api_reports"),
        path("api/reports/<int:pk>/", opendata.api_report, name="api_report"),
        path("feed.atom", opendata.feed, name="feed"),
        path("data/<int:year>/<int:region>.csv", opendata.bulk_csv, name="bulk_csv"),
        path("data/<int:year>/<int:region>.json", opendata.bulk_json, name="bulk_json"),
    ],
    "public",
)

oversight_patterns = (
    [
        path("", oversight.home, name="home"),
        path("export.xlsx", oversight.home_xlsx, name="home_xlsx"),
        path("rollup/", oversight.rollup, name="rollup"),
        path("rollup/export.<slug:fmt>", oversight.rollup_export, name="rollup_export"),
        path("agency/<int:pk>/", oversight.agency_charts, name="agency"),
        path("findings/", triage.region_findings, name="findings"),
        path("findings/export.xlsx", triage.region_findings_xlsx, name="findings_xlsx"),
        path("circular/", circular.circular, name="circular"),
        path("circular/export.<slug:fmt>", circular.circular_export, name="circular_export"),
        path("urge/", oversight.urge, name="urge"),
    ],
    "oversight",
)
