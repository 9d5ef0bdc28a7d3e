"""The production shape: gunicorn app servers without local state behind a balancer,
PostgreSQL, static files through WhiteNoise, and a backup that really restores.

The process tests need PostgreSQL (run the suite with DATABASE_URL=postgres://...);
on SQLite they are skipped, since the test database lives in memory.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from reports.models import Report
from tests.conftest import PASSWORD
from tests.helpers import import_seed

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_whitenoise_serves_static_files_right_after_the_security_middleware():
    middleware = settings.MIDDLEWARE
    assert middleware[1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"
    assert "whitenoise" in settings.STORAGES["staticfiles"]["BACKEND"]


def test_production_dependencies_are_pinned():
    pins = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^gunicorn==\d", pins, re.M) and re.search(r"^whitenoise==\d", pins, re.M)


needs_postgres = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="runs app servers against the test database: needs PostgreSQL",
)


def _database_url(name: str | None = None) -> str:
    s = connection.settings_dict
    user = urllib.parse.quote(s["USER"] or "postgres")
    password = f":{urllib.parse.quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    host = s["HOST"] or "127.0.0.1"
    port = s["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or s['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url(),
        DEBUG="false",
        SECRET_KEY="test-deployment-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE="goireport.settings",
        # TLS ends at the load balancer in front of the app servers; this test talks
        # plain HTTP to them directly, as the balancer would.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
    )
    env.update(extra)
    return env


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not listen on {port}")


@pytest.fixture
def app_servers(tmp_path):
    """Two gunicorn app servers on the same database, as behind a load balancer."""
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    servers = []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "goireport.wsgi"],
                cwd=ROOT,
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            servers.append((port, process))
            _wait_for(port, process)
        yield [f"http://127.0.0.1:{port}" for port, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
            process.wait(timeout=10)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_gunicorn_servers_share_sessions_and_serve_static_files(app_servers, carol):
    # The suite hashes passwords with a fast test-only hasher that the app servers,
    # running the real settings, do not accept: store carol's with the real one.
    hasher = PBKDF2PasswordHasher()
    carol.password = hasher.encode(PASSWORD, hasher.salt())
    carol.save()
    first, second = app_servers
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    css = opener.open(f"{first}/static/bootstrap/css/bootstrap.min.css")
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert b".btn" in css.read()

    login = opener.open(f"{first}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    data = urllib.parse.urlencode(
        {"username": "carol", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(f"{first}/accounts/login/", data, {"Referer": first})
    opener.open(request)

    # Signed in on the first server, recognised by the second: no local state.
    page = opener.open(f"{second}/oversight/").read().decode()
    assert "宁波市镇海区人民政府" in page and "报告进度" in page
    assert "bootstrap/css/bootstrap.min.css" in page


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_bring_back_the_database_and_stored_files(agencies, tmp_path):
    report = import_seed(1, complete=True)
    media = tmp_path / "media"
    stored = media / "reports" / f"{report.pk}.pdf"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"%PDF-1.7 stored report")
    backup = tmp_path / "backup"
    env = _env(tmp_path, MEDIA_ROOT=str(media))
    subprocess.run(["deploy/backup.sh", str(backup)], cwd=ROOT, env=env, check=True)
    assert (backup / "db.dump").stat().st_size > 0

    scratch = f"{connection.settings_dict['NAME']}_restored"
    admin = {**env, "DATABASE_URL": _database_url("postgres")}
    psql = ["psql", _database_url("postgres"), "-q", "-c"]
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{scratch}"'], env=admin, check=True)
    subprocess.run([*psql, f'CREATE DATABASE "{scratch}"'], env=admin, check=True)
    try:
        restored_media = tmp_path / "restored-media"
        target = {**env, "DATABASE_URL": _database_url(scratch), "MEDIA_ROOT": str(restored_media)}
        subprocess.run(["deploy/restore.sh", str(backup)], cwd=ROOT, env=target, check=True)

        query = "SELECT title, app_new_received_natural_person FROM reports_report"
        out = subprocess.run(
            ["psql", _database_url(scratch), "-tA", "-c", query],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert out == f"{report.title}|{report.app_new_received_natural_person}"
        copy = restored_media / "reports" / f"{report.pk}.pdf"
        assert copy.read_bytes() == b"%PDF-1.7 stored report"

        # A damaged backup is refused before anything is touched.
        (backup / "media.tar.gz").write_bytes(b"garbage")
        damaged = subprocess.run(["deploy/restore.sh", str(backup)], cwd=ROOT, env=target)
        assert damaged.returncode != 0
        assert copy.read_bytes() == b"%PDF-1.7 stored report"
    finally:
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{scratch}"'], env=admin, check=True)
    assert Report.objects.filter(pk=report.pk).exists()
