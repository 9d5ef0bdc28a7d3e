from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports import views as report_views

# The admin modules, found here rather than at start-up (reports.apps.AdminConfig).
admin.autodiscover()
admin.site.site_header = "政府信息公开工作年度报告 管理"
admin.site.site_title = "goireport 管理"

urlpatterns = [
    path("", report_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reports/", include("reports.urls")),
    path("public/", include("reports.public_urls")),
    path("oversight/", include("reports.oversight_urls")),
    path("admin/", admin.site.urls),
]
