"""goireport/settings.py reads the environment through helpers that refuse bad values."""

import runpy

import pytest
from django.conf import settings

SETTINGS_PY = str(settings.BASE_DIR / "goireport" / "settings.py")
POSTGRES = "postgres://postgres@127.0.0.1:5432/goireport"


def load(monkeypatch, **env: str) -> dict:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_PY)


def test_postgresql_reuses_query_plans_only_when_turned_on(monkeypatch):
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    default = load(monkeypatch, DATABASE_URL=POSTGRES)["DATABASES"]["default"]
    assert "server_side_binding" not in default.get("OPTIONS", {})
    on = load(monkeypatch, DATABASE_URL=POSTGRES, DB_PREPARED_STATEMENTS="true")
    options = on["DATABASES"]["default"]["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5


def test_sqlite_gets_no_postgresql_options(monkeypatch):
    db = load(monkeypatch, DATABASE_URL="sqlite:////tmp/x.sqlite3")["DATABASES"]["default"]
    assert "server_side_binding" not in db.get("OPTIONS", {})


@pytest.mark.parametrize(
    ("name", "value"),
    [("DB_PREPARED_STATEMENTS", "maybe"), ("DEBUG", "sometimes"), ("DB_CONN_MAX_AGE", "1m")],
)
@pytest.mark.parametrize("database", [POSTGRES, "sqlite:////tmp/x.sqlite3"])
def test_a_malformed_value_stops_start_up_with_its_name(monkeypatch, name, value, database):
    with pytest.raises(Exception, match=name):
        load(monkeypatch, DATABASE_URL=database, **{name: value})


def test_cache_url_names_a_shared_redis_cache_and_defaults_to_each_processs_memory(
    monkeypatch,
):
    monkeypatch.delenv("CACHE_URL", raising=False)
    local = load(monkeypatch)["CACHES"]["default"]
    assert local["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    shared = load(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/0")["CACHES"]["default"]
    assert shared == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
    with pytest.raises(Exception, match="CACHE_URL"):
        load(monkeypatch, CACHE_URL="memcached://127.0.0.1:11211")


def test_release_is_read_from_the_environment(monkeypatch):
    assert load(monkeypatch, RELEASE="2025.3.1")["RELEASE"] == "2025.3.1"
