"""/readyz against a real PostgreSQL server that stops while the app runs."""

from __future__ import annotations

from wizard import create_app


def test_readyz_turns_503_when_the_postgresql_server_stops(own_postgres_cluster, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": own_postgres_cluster.url()})
    client = app.test_client()
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.get_json()["checks"] == {"rules": "ok", "database": "ok"}

        own_postgres_cluster.stop()

        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.get_json() == {"status": "not ready", "checks": {"rules": "ok", "database": "unreachable"}}
        assert str(own_postgres_cluster.port) not in down.get_data(as_text=True)
        assert down.headers["Cache-Control"] == "no-store"
        # The process itself is fine: the load balancer keeps it, but sends no one to it.
        assert client.get("/healthz").status_code == 200
    finally:
        app.extensions["database"].dispose()
