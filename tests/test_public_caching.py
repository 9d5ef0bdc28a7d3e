"""What lets the public site be cached and throttled across a deployment: the ETag of a
public page carries the release (a deploy that changes the HTML makes cached copies
stale), and with CACHE_URL naming a Redis server every process counts an anonymous
client's requests together."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from tests.helpers import published_report

pytestmark = pytest.mark.django_db

# Database 15 of the machine's Redis: out of the way of anything that uses database 0.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def test_a_new_release_changes_the_etag_of_an_unchanged_public_page(client, alice, bob, settings):
    report = published_report(alice, bob)
    url = reverse("public:detail", args=[report.pk])
    settings.RELEASE = "2025.1"
    before = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304

    settings.RELEASE = "2025.2"
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200  # the copy made by the old release is not reused
    assert after["ETag"] != before["ETag"]
    assert report.title in after.getvalue().decode()


def test_without_release_set_the_version_is_a_digest_of_the_code_and_templates(tmp_path):
    from goireport.settings import source_digest

    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>旧</p>", encoding="utf-8")
    first = source_digest(tmp_path / "templates")
    assert source_digest(tmp_path / "templates") == first
    page.write_text("<p>新</p>", encoding="utf-8")
    assert source_digest(tmp_path / "templates") != first
    assert django_settings.RELEASE  # the running settings have one


COUNT_ELSEWHERE = """
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from reports.views.http import throttled
for _ in range(2):
    request = RequestFactory().get("/public/", REMOTE_ADDR="{address}")
    request.user = AnonymousUser()
    print(throttled(request))
"""


@pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {REDIS_URL}")
def test_with_a_redis_cache_url_two_processes_count_one_client_together(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # A day's window, so that both processes count in the same one.
    settings.PUBLIC_THROTTLE_REQUESTS = 3
    settings.PUBLIC_THROTTLE_WINDOW = 86400
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    key = f"public-throttle:{address}:{int(time.time()) // 86400}"
    try:
        assert client.get(reverse("public:list"), REMOTE_ADDR=address).status_code == 200

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "goireport.settings",
            "CACHE_URL": REDIS_URL,
            "PUBLIC_THROTTLE_REQUESTS": "3",
            "PUBLIC_THROTTLE_WINDOW": "86400",
        }
        other = subprocess.run(
            [sys.executable, "-c", COUNT_ELSEWHERE.format(address=address)],
            env=env,
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert other.stdout.split() == ["False", "False"]  # its requests 2 and 3
        assert cache.get(key) == 3

        # The fourth request of the client, here, is over the limit of three.
        response = client.get(reverse("public:list"), REMOTE_ADDR=address)
        assert response.status_code == 429
        assert response["Retry-After"] == "86400"
    finally:
        cache.delete(key)


def test_a_page_rendered_for_one_reader_without_cookies_is_kept_for_the_next(
    alice, bob, django_assert_max_num_queries
):
    from django.test import Client

    report = published_report(alice, bob)
    url = reverse("public:detail", args=[report.pk])
    first = Client().get(url)
    assert first.status_code == 200 and first.context is not None  # rendered
    with django_assert_max_num_queries(2):  # the last change, for the ETag: no more
        second = Client().get(url)
    assert second.status_code == 200
    assert second.context is None  # not rendered again
    assert second.getvalue() == first.getvalue()
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"]


def test_a_change_of_the_published_reports_renders_the_page_anew(alice, bob):
    from django.test import Client

    report = published_report(alice, bob)
    url = reverse("public:list")
    assert report.title in Client().get(url).getvalue().decode()
    revision = report.start_revision(alice)
    revision.title = "修订后的标题"
    revision.save()
    revision.submit(alice)
    revision.approve(bob)
    revision.publish(bob)
    page = Client().get(url)
    assert page.context is not None
    assert "修订后的标题" in page.getvalue().decode()


def test_a_reader_with_a_session_or_a_message_gets_a_page_of_their_own(alice, bob):
    from django.test import Client

    report = published_report(alice, bob)
    url = reverse("public:detail", args=[report.pk])
    for cookie in (django_settings.SESSION_COOKIE_NAME, "messages"):
        cache.clear()
        reader = Client()
        reader.cookies[cookie] = "x"
        assert reader.get(url).context is not None
        # Nothing was kept from it: the next reader without cookies is rendered for.
        assert Client().get(url).context is not None


@pytest.mark.parametrize("many", [False, True], ids=["summed", "walked"])
def test_the_region_charts_etag_follows_a_correction_however_its_last_change_is_found(
    alice, bob, agencies, many, monkeypatch
):
    from django.test import Client

    from reports.views import public

    # A province's last change is found by walking the newest reports first, a city's by
    # summing its own: both must see the same changes.
    monkeypatch.setattr(public, "MANY_REPORTS", -1 if many else 10**9)
    report = published_report(alice, bob)
    url = reverse("public:region_year", args=[agencies["zhenhai"].pk, report.year])
    first = Client().get(url)
    assert first.status_code == 200 and first.context is not None
    again = Client().get(url)
    assert again["ETag"] == first["ETag"] and again.context is None  # kept
    revision = report.start_revision(alice)
    revision.app_new_received_natural_person = 4321
    revision.app_granted_natural_person += 4321 - report.app_new_received_natural_person
    revision.save()
    revision.submit(alice)
    revision.approve(bob)
    revision.publish(bob)
    after = Client().get(url)
    assert after["ETag"] != first["ETag"] and after.context is not None
    assert after.context["this"].figures["applications"]["new_received"]["natural_person"] == 4321
