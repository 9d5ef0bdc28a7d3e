from django.urls import path

from . import views, workflow_views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/preview/", views.report_preview, name="preview"),
    path("<int:pk>/export.json", views.report_export_json, name="export_json"),
    path("<int:pk>/edit/<slug:section>/", views.report_section, name="section"),
    path("<int:pk>/submit/", workflow_views.submit, name="submit"),
    path("<int:pk>/approve/", workflow_views.approve, name="approve"),
    path("<int:pk>/return/", workflow_views.return_to_clerk, name="return"),
    path("<int:pk>/publish/", workflow_views.publish, name="publish"),
    path("<int:pk>/revise/", workflow_views.start_revision, name="revise"),
    path("<int:pk>/correct/", workflow_views.send_for_correction, name="correct"),
]
