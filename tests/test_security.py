"""The security baseline: login throttling, password rules, CSRF, CSP, deploy settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from reports.models import Report, Status
from tests.conftest import PASSWORD
from tests.helpers import ready_report

BASE_DIR = Path(settings.BASE_DIR)


def test_check_deploy_is_clean_with_production_environment():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DJANGO_", "AXES_")) and key not in ("DEBUG",)
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="goireport.example.gov.cn",
        DJANGO_SETTINGS_MODULE="goireport.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="false", DJANGO_SETTINGS_MODULE="goireport.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(client, alice):
    url = reverse("login")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(url, {"username": "alice", "password": "wrong-password"})
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)
    response = client.post(url, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.getvalue().decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_correct_password_logs_in(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.parametrize("password", ["12345678", "password", "short"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(alice):
    report = ready_report()
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("reports:submit", args=[report.pk]))
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT


@pytest.mark.django_db
def test_every_page_sends_a_csp_without_inline_script(client, alice):
    report = ready_report()
    client.force_login(alice)
    for url in (reverse("reports:list"), report.get_absolute_url(), reverse("public:list")):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in policy


SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_templates_contain_no_inline_script_handler_or_style():
    for path in (BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in SCRIPT.finditer(text):
            assert "src=" in match["attrs"], f"inline <script> in {path}"
        assert not HANDLER.search(text), f"inline event handler in {path}"
        assert "style=" not in text, f"inline style in {path}"
