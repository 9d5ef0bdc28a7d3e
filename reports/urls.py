from django.urls import path

from . import views, views_io, views_jobs, workflow_views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/preview/", views.report_preview, name="preview"),
    path("<int:pk>/export.json", views.report_export_json, name="export_json"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/report.html", views.report_print_html, name="html"),
    path("<int:pk>/edit/<slug:section>/", views.report_section, name="section"),
    path("<int:pk>/submit/", workflow_views.submit, name="submit"),
    path("<int:pk>/approve/", workflow_views.approve, name="approve"),
    path("<int:pk>/return/", workflow_views.return_to_clerk, name="return"),
    path("<int:pk>/publish/", workflow_views.publish, name="publish"),
    path("<int:pk>/revise/", workflow_views.start_revision, name="revise"),
    path("<int:pk>/correct/", workflow_views.send_for_correction, name="correct"),
    path("<int:pk>/report.xlsx", views_io.report_xlsx, name="xlsx"),
    path("<int:pk>/report.docx", views_io.report_docx, name="docx"),
    path("<int:pk>/upload-xlsx/", views_io.report_upload_xlsx, name="upload_xlsx"),
    path("import/", views_io.import_published, name="import_published"),
    path("exports/", views_jobs.exports, name="exports"),
    path("exports/<int:pk>/", views_jobs.export_job, name="export_job"),
    path("exports/<int:pk>/status/", views_jobs.export_job_status, name="export_status"),
    path("exports/<int:pk>/download/", views_jobs.export_download, name="export_download"),
]
