"""/healthz (the process answers), /readyz (this process can serve people: rules loaded) and
/readyz/database (the database, for alerting)."""

from __future__ import annotations

import json
import socket
from dataclasses import replace

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk
from wizard import create_app
from wizard.storage import Database


def use_database(app, database) -> None:
    """This app's services with another database (the shared object is frozen, and stays as it was)."""
    app.extensions["services"] = replace(app.extensions["services"], database=database)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_ok_without_the_database(app, client):
    use_database(app, None)  # not even looked at
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_rules_and_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "status": "ready",
        "mode": "development",
        "checks": {"rules": "ok", "database": "ok"},
    }


def test_readyz_stays_200_and_names_the_database_when_it_is_down(app, client):
    """D2: every instance shares the database; a 503 here would take all of them out of the
    load balancer, and the crisis line with them. The database is reported, not routed on."""
    # A PostgreSQL server that has stopped: nothing listens on its port any more.
    port = _free_port()
    secret = "s3cret-password-never-shown"
    stopped = Database(f"postgresql://wizard:{secret}@127.0.0.1:{port}/wizard?connect_timeout=5")
    use_database(app, stopped)
    try:
        response = client.get("/readyz")
        alert = client.get("/readyz/database")
    finally:
        stopped.dispose()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body == {"status": "ready", "mode": "development", "checks": {"rules": "ok", "database": "unreachable"}}
    # The database's own endpoint is for alerting: it fails.
    assert alert.status_code == 503
    assert alert.get_json() == {"database": "unreachable"}
    for text in (response.get_data(as_text=True), alert.get_data(as_text=True)):
        for private in (secret, str(port), "postgresql", "127.0.0.1"):
            assert private not in text
    # The process is still up, and says so.
    assert client.get("/healthz").status_code == 200


def test_the_database_endpoint_is_200_when_all_is_well(client):
    response = client.get("/readyz/database")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_says_the_schema_is_behind_before_the_upgrade(app, client, tmp_path):
    """A production worker never migrates: a database nobody upgraded is reported, not fatal."""
    empty = Database(f"sqlite:///{tmp_path / 'never-upgraded.sqlite3'}")
    use_database(app, empty)
    try:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.get_json()["checks"]["database"] == "schema behind"
        assert client.get("/readyz/database").get_json() == {"database": "schema behind"}
        empty.migrate()
        assert client.get("/readyz").get_json()["checks"]["database"] == "ok"
    finally:
        empty.dispose()


def test_readyz_reports_writes_that_fail_while_reads_work(app, client):
    """D7: a full disk or a table lock lets a read-only check pass; the failed writes tell."""
    database = app.extensions["services"].database
    database.writes.failed("disk full")
    assert client.get("/readyz").get_json()["checks"]["database"] == "failing: disk full"
    assert client.get("/readyz/database").status_code == 503
    database.writes.succeeded()
    assert client.get("/readyz/database").status_code == 200


def test_readyz_is_503_when_the_rules_are_not_loaded(app, client):
    app.extensions["services"] = replace(app.extensions["services"], matcher=None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"rules": "not loaded", "database": "ok"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/readyz/database"])
def test_health_checks_set_no_cookie_even_mid_journey(browser, client, path):
    walk(browser, FULL)  # the client now carries a session cookie with answers
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/readyz/database"])
def test_health_checks_are_never_rate_limited(tmp_path, path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'health.sqlite3'}",
            "API_READ_RATE_LIMIT": "1 per minute",
            "CALLBACK_RATE_LIMIT": "1 per minute",
        }
    )
    client = app.test_client()
    for _ in range(30):
        response = client.get(path)
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


def test_readyz_body_is_plain_json(client):
    response = client.get("/readyz")
    assert response.mimetype == "application/json"
    json.loads(response.get_data(as_text=True))
