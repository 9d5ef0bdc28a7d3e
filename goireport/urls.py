from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reports import urls as reports_urls
from reports.io.forms import AccountPasswordResetForm
from reports.views import health
from reports.views import reports as report_views

admin.site.site_header = "政府信息公开工作年度报告 管理"
admin.site.site_title = "goireport 管理"

urlpatterns = [
    path("", report_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own views with the templates in templates/registration/.
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=AccountPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("reports/", include(reports_urls.reports_patterns)),
    path("public/", include(reports_urls.public_patterns)),
    path("oversight/", include(reports_urls.oversight_patterns)),
    path("admin/", admin.site.urls),
    path("healthz", health.health, name="health"),
]
