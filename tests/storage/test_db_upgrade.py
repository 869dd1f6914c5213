"""`python -m wizard db upgrade`: the one migration step of a deployment, and the SQLite file's permissions."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from tests.support.operator import set_operator
from tests.support.servers import free_port
from wizard.storage import Database
from wizard.storage.db import head_revision

ROOT = Path(__file__).resolve().parents[2]


def upgrade(database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "WIZARD_ENV": "production"}
    env.pop("DATA_KEYS", None)  # the schema needs no keys
    return subprocess.run(
        [sys.executable, "-m", "wizard", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_db_upgrade_brings_an_empty_database_to_the_newest_schema_and_is_safe_to_repeat(database_url):
    database = Database(database_url)
    try:
        assert database.status() == "schema behind"
        for _time in range(2):
            done = upgrade(database_url)
            assert done.returncode == 0, done.stderr
            assert f"is at the newest schema ({head_revision()})" in done.stdout
        assert "callback_requests" in inspect(database.engine).get_table_names()
        assert database.status() == "ok"
    finally:
        database.dispose()


def test_db_upgrade_says_why_it_failed_without_the_password():
    secret = "s3cret-password-never-shown"
    port = free_port()
    done = upgrade(f"postgresql://wizard:{secret}@127.0.0.1:{port}/wizard?connect_timeout=3")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Cannot upgrade the database at postgresql+psycopg://wizard:***@127.0.0.1:{port}/wizard?connect_timeout=3: "
        "unreachable (OperationalError)."
    )
    assert secret not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_creating_the_app_in_production_touches_no_database(tmp_path, monkeypatch):
    """D1: a worker must start while the database is down; production never migrates at start."""
    from wizard import create_app

    monkeypatch.setenv("WIZARD_ENV", "production")
    monkeypatch.setenv("PUBLIC_HOST", "localhost")
    set_operator(monkeypatch)
    port = free_port()
    app = create_app(
        {
            "SECRET_KEY": "s" * 40,
            "DATABASE_URL": f"postgresql://wizard:pw@127.0.0.1:{port}/wizard?connect_timeout=3",
        }
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["database"] == "unreachable"
    app.extensions["services"].database.dispose()


def test_the_sqlite_files_are_readable_by_their_owner_only(tmp_path):
    """L15: the file holds staff password hashes, sealed TOTP seeds and the audit log."""
    path = tmp_path / "instance" / "wizard.sqlite3"
    database = Database(f"sqlite:///{path}")
    try:
        database.migrate()
        with database.transaction() as session:  # a write, so that -wal and -shm exist
            session.connection().exec_driver_sql("CREATE TABLE touched (x)")
        files = sorted(tmp_path.glob("instance/wizard.sqlite3*"))
        assert [f.name for f in files] == ["wizard.sqlite3", "wizard.sqlite3-shm", "wizard.sqlite3-wal"]
        for file in files:
            assert file.stat().st_mode & 0o777 == 0o600, f"{file.name}: {oct(file.stat().st_mode)}"
        assert path.parent.stat().st_mode & 0o077 == 0
    finally:
        database.dispose()


def test_an_existing_world_readable_database_is_narrowed(tmp_path):
    path = tmp_path / "wizard.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    Database(f"sqlite:///{path}").dispose()
    assert path.stat().st_mode & 0o777 == 0o600


def test_postgresql_sessions_have_bounded_waits_and_the_url_can_lengthen_them(postgres_database):
    """D3: without these, a lock held for 30 s held every submission for 30 s."""
    from sqlalchemy import text

    def settings(url: str) -> tuple[str, str, str]:
        database = Database(url)
        try:
            with database.transaction() as session:
                return tuple(
                    session.execute(text(f"SHOW {name}")).scalar()
                    for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
                )
        finally:
            database.dispose()

    assert settings(postgres_database) == ("5s", "2s", "10s")
    longer = postgres_database + "?options=-c%20statement_timeout%3D10000"
    assert settings(longer) == ("10s", "2s", "10s")
