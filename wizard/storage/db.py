"""The database: SQLite (embedded default) or PostgreSQL through DATABASE_URL.

SQLite runs in WAL mode with full syncing, and every transaction starts with
BEGIN IMMEDIATE: writers queue on the busy timeout instead of failing when a
read turns into a write, which matters with several server processes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
# Any fixed number: every instance of the app takes the same lock before migrating.
MIGRATION_LOCK = 74_210_431
CONNECT_TIMEOUT = 10  # seconds


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// (as hosting platforms write them) use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def _use_wal(cursor) -> None:
    """Switch the file to WAL once. While another process holds the file (starting up and
    migrating at the same moment) the switch fails at once instead of waiting on the busy
    timeout, so it is retried for a bounded time."""
    deadline = time.monotonic() + 15
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below); the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url)
        else:
            # A server that does not answer must not hold a request (or /readyz) for long.
            timeout = {} if "connect_timeout" in make_url(self.url).query else {"connect_timeout": CONNECT_TIMEOUT}
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=timeout)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration. Safe to run from several processes at once."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                # Released at commit; SQLite's BEGIN IMMEDIATE already serialises migrations.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                connection.rollback()
            return True
        except Exception:  # any failure means "not reachable"; the caller says so
            return False

    def dispose(self) -> None:
        self.engine.dispose()
