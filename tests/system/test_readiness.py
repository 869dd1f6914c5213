"""/readyz and /readyz/database against a real PostgreSQL server that stops while the app runs."""

from __future__ import annotations

import time

from wizard import create_app


def test_readyz_stays_200_and_reports_the_database_when_the_postgresql_server_stops(own_postgres_cluster):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": own_postgres_cluster.url()})
    client = app.test_client()
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.get_json()["checks"] == {"rules": "ok", "database": "ok"}
        assert client.get("/readyz/database").status_code == 200

        own_postgres_cluster.stop()

        started = time.monotonic()
        down = client.get("/readyz")
        assert time.monotonic() - started < 5, "the check is bounded"
        # Every instance shares the database: none is taken out of the load balancer for it.
        assert down.status_code == 200
        assert down.get_json() == {
            "status": "ready",
            "mode": "development",
            "checks": {"rules": "ok", "database": "unreachable"},
        }
        assert str(own_postgres_cluster.port) not in down.get_data(as_text=True)
        assert down.headers["Cache-Control"] == "no-store"
        # Alerting watches the database's own endpoint.
        alert = client.get("/readyz/database")
        assert alert.status_code == 503
        assert alert.get_json() == {"database": "unreachable"}
        assert client.get("/healthz").status_code == 200
    finally:
        app.extensions["services"].database.dispose()
