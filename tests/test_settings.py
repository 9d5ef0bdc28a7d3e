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
