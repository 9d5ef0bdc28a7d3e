from django.urls import path

from . import oversight_views as views

app_name = "oversight"

urlpatterns = [
    path("", views.home, name="home"),
    path("export.xlsx", views.home_xlsx, name="home_xlsx"),
    path("rollup/", views.rollup, name="rollup"),
    path("rollup/export.<slug:fmt>", views.rollup_export, name="rollup_export"),
    path("agency/<int:pk>/", views.agency_charts, name="agency"),
]
