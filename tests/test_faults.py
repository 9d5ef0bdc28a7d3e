"""Faults met gracefully: a dropped database connection, a MEDIA_ROOT that cannot be
written, a background worker killed mid-job, and Chinese error pages. The process
tests run gunicorn and the task worker against the PostgreSQL test database (skipped
on SQLite, whose test database lives in memory); each is bounded in time and stops
every process it started."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from reports.models import ExportJob, ImportJob, JobKind, JobStatus, Report
from tests.helpers import make_report, published_report
from tests.test_deployment import BIN, ROOT, _env, _free_port, _wait_for, needs_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture
def unwritable(tmp_path):
    """A directory nothing can be written to, even by root: a read-only tmpfs where
    mounting is allowed, else a path beneath a regular file."""
    target = tmp_path / "readonly"
    target.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(target)],
            capture_output=True,
        ).returncode
        == 0
    )
    if not mounted:
        (tmp_path / "a-file").write_text("x")
        target = tmp_path / "a-file" / "media"
    try:
        yield target
    finally:
        if mounted:
            subprocess.run(["umount", str(target)], check=False)


@pytest.fixture
def full_disk(tmp_path):
    """A directory on a small tmpfs filled to the last byte: every write fails with
    ENOSPC, as on a full disk."""
    target = tmp_path / "full"
    target.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(target)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("this machine does not let the tests mount a tmpfs")
    try:
        (target / "cache").mkdir()
        with open(target / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)


# --- in the process ---------------------------------------------------------------


def test_the_server_error_page_is_in_chinese():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器暂时出错" in page and "Server Error" not in page


def test_persistent_connections_are_health_checked():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_draft_pdf_is_served_when_its_cache_cannot_be_written(
    client, alice, agencies, settings, unwritable
):
    settings.PRINT_PDF_CACHE = unwritable / "cache"
    report = make_report(agencies["office"], title="缓存不可写时的草稿")
    client.force_login(alice)
    response = client.get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF-")


def test_a_newly_published_pdf_is_served_when_media_root_cannot_be_written(
    client, alice, bob, settings, unwritable
):
    settings.MEDIA_ROOT = unwritable
    settings.PRINT_PDF_CACHE = unwritable / "cache"
    report = published_report(alice, bob)  # storing its PDF fails, and is logged
    assert not Report.objects.get(pk=report.pk).published_pdf
    response = client.get(reverse("public:pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF-")
    assert not Report.objects.get(pk=report.pk).published_pdf  # stored on a later try


def test_pdfs_are_served_and_the_health_check_fails_when_the_disk_is_full(
    client, alice, bob, settings, full_disk
):
    settings.MEDIA_ROOT = full_disk
    settings.PRINT_PDF_CACHE = full_disk / "cache"
    report = published_report(alice, bob)  # storing its PDF fails with ENOSPC, logged
    assert not Report.objects.get(pk=report.pk).published_pdf
    response = client.get(reverse("public:pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF-")
    draft = make_report(report.agency, year=2024, title="磁盘已满时的草稿")
    client.force_login(alice)
    response = client.get(reverse("reports:pdf", args=[draft.pk]))
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF-")
    health = client.get(reverse("health"))
    assert health.status_code == 503 and health.json()["media"] == "error"
    assert not list(full_disk.glob(".health-*"))  # the probe is removed


def test_the_health_check_reports_database_and_media(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "media": "ok"}
    assert list(tmp_path.iterdir()) == []  # the probe file is removed


def test_the_health_check_fails_when_media_root_cannot_be_written(client, settings, unwritable):
    settings.MEDIA_ROOT = unwritable
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "media": "error"}


def stale_job(carol, model=ExportJob, attempts: int = 1):
    extra = {"kind": JobKind.BULK_XLSX} if model is ExportJob else {}
    return model.objects.create(
        year=2023,
        agency=carol.agency,
        requested_by=carol,
        status=JobStatus.RUNNING,
        attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(hours=1),
        **extra,
    )


def test_a_job_whose_worker_died_is_queued_again_once_with_a_message(
    client, carol, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = stale_job(carol)
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        status = client.get(reverse("reports:export_status", args=[job.pk])).json()
    assert status["status"] == "queued"
    assert "处理进程意外停止" in status["error"] and "自动重新排队" in status["error"]
    assert len(callbacks) == 1  # enqueued on the task queue


def test_a_job_interrupted_again_fails_with_a_message(client, carol):
    job = stale_job(carol, ImportJob, attempts=ImportJob.MAX_ATTEMPTS)
    client.force_login(carol)
    status = client.get(reverse("reports:import_job_status", args=[job.pk])).json()
    assert status["status"] == "failed"
    assert status["error"] == "处理进程意外停止，已运行2次仍未完成，请重新提交。"
    job.refresh_from_db()
    assert job.finished_at is not None


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(client, carol):
    job = stale_job(carol)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    client.force_login(carol)
    assert client.get(reverse("reports:export_status", args=[job.pk])).json()["status"] == (
        "running"
    )


def test_the_recover_jobs_command_recovers_every_stale_job(carol, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    stale_job(carol)
    stale_job(carol, ImportJob, attempts=ImportJob.MAX_ATTEMPTS)
    call_command("recover_jobs")
    assert list(ExportJob.objects.values_list("status", flat=True)) == ["queued"]
    assert list(ImportJob.objects.values_list("status", flat=True)) == ["failed"]


# --- against gunicorn and the worker on PostgreSQL --------------------------------


def _terminate_other_connections() -> int:
    """Drop every connection to this test database but the test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def gunicorn(tmp_path):
    """One gunicorn app server (one worker, persistent connections as in production)
    on the test database; ``start(**env)`` starts it, and it is stopped afterwards."""
    processes: list[subprocess.Popen] = []
    (tmp_path / "media").mkdir(exist_ok=True)  # the default MEDIA_ROOT of _env

    def start(**extra: str) -> str:
        port = _free_port()
        env = _env(
            tmp_path,
            DB_CONN_MAX_AGE="60",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="1",
            GUNICORN_THREADS="1",
            **extra,
        )
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "goireport.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        _wait_for(port, process)
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_costs_no_request(gunicorn, alice, bob):
    report = published_report(alice, bob)
    server = gunicorn()
    for _ in range(3):  # the worker now holds a persistent connection
        assert _get(f"{server}/public/")[0] == 200
    assert _terminate_other_connections() >= 1
    status, page = _get(f"{server}/public/{report.pk}/")
    assert status == 200 and report.title in page
    status, body = _get(f"{server}/healthz")
    assert status == 200 and json.loads(body) == {"database": "ok", "media": "ok"}


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_the_public_pdf_with_media_root_read_only(gunicorn, alice, bob, unwritable):
    report = published_report(alice, bob)
    Report.objects.filter(pk=report.pk).update(published_pdf="")  # not stored yet
    server = gunicorn(MEDIA_ROOT=str(unwritable), PRINT_PDF_CACHE=str(unwritable / "cache"))
    status, body = _get(f"{server}/healthz")
    assert status == 503 and json.loads(body) == {"database": "ok", "media": "error"}
    with urllib.request.urlopen(f"{server}/public/{report.pk}/report.pdf", timeout=60) as response:
        assert response.status == 200 and response.read().startswith(b"%PDF-")
    status, page = _get(f"{server}/no-such-page/")
    assert status == 404 and "页面不存在" in page


def _wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _worker(tmp_path: Path) -> subprocess.Popen:
    env = _env(tmp_path, TASKS_BACKEND="django_tasks_db.DatabaseBackend")
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, killed as a whole
    )


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_no_job_running_forever(
    client, carol, alice, bob, settings, tmp_path
):
    from reports.oversight.exports import start_job

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    reports = [published_report(alice, bob)]
    # Published PDFs not stored yet: the worker renders each (about a second), so it is
    # still running when it is killed.
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(published_pdf="")
    with transaction.atomic():
        job = start_job(JobKind.PDF_ZIP, reports[0].year, carol.agency, carol)
    worker = _worker(tmp_path)
    try:
        assert _wait_until(lambda: ExportJob.objects.get(pk=job.pk).status == JobStatus.RUNNING, 60)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING  # nobody will finish it

        settings.JOB_STALE_SECONDS = 1
        time.sleep(1.2)
        client.force_login(carol)
        status = client.get(reverse("reports:export_status", args=[job.pk])).json()
        assert status["status"] == "queued" and "处理进程意外停止" in status["error"]

        worker = _worker(tmp_path)
        assert _wait_until(lambda: ExportJob.objects.get(pk=job.pk).status == JobStatus.DONE, 90)
        job.refresh_from_db()
        assert job.attempts == 2 and job.error == "" and bytes(job.content).startswith(b"PK")
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_host_that_starts_takes_up_the_job_its_dead_worker_left(carol, tmp_path):
    """Nobody opens the job's page: deploy/worker.sh recovers it before taking work."""
    job = stale_job(carol)  # running, no heartbeat for an hour, its task long consumed
    env = _env(
        tmp_path,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PYTHON=sys.executable,
        WORKER_MAX_TASKS="5",
    )
    worker = subprocess.Popen(
        ["sh", "deploy/worker.sh", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert _wait_until(lambda: ExportJob.objects.get(pk=job.pk).status == JobStatus.DONE, 90)
        job.refresh_from_db()
        assert job.attempts == 2 and bytes(job.content).startswith(b"PK")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
