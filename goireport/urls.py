from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports import urls as reports_urls
from reports.views import health
from reports.views import reports as report_views

admin.site.site_header = "政府信息公开工作年度报告 管理"
admin.site.site_title = "goireport 管理"

urlpatterns = [
    path("", report_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reports/", include(reports_urls.reports_patterns)),
    path("public/", include(reports_urls.public_patterns)),
    path("oversight/", include(reports_urls.oversight_patterns)),
    path("admin/", admin.site.urls),
    path("healthz", health.health, name="health"),
]
