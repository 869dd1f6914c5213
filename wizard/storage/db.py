"""The database: SQLite (embedded default) or PostgreSQL through DATABASE_URL.

SQLite runs in WAL mode with full syncing, and every transaction starts with
BEGIN IMMEDIATE: writers queue on the busy timeout instead of failing when a
read turns into a write, which matters with several server processes.

Opening a Database connects to nothing: the first query does. A server that is
down when the app starts costs the call-back form and the staff console, never
the public pages. The schema is brought up to date by `python -m wizard db upgrade`
(`migrate()`), run once per deployment, not by each server process.

Every wait is bounded, so a lock or a hung server ends in a clear error instead
of a person staring at a loading page: PostgreSQL gets statement, lock and
idle-transaction timeouts, SQLite a short busy timeout.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import Engine, NullPool, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from wizard.storage.failures import WriteHealth, classify

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
# Any fixed number: every instance of the app takes the same lock before migrating.
MIGRATION_LOCK = 74_210_431
CONNECT_TIMEOUT = 5  # seconds
# PostgreSQL: a statement (the INSERT, a staff list) is cancelled after 5 s, a wait for a
# lock after 2 s, a transaction left idle after 10 s. Each ends in the friendly 503.
POSTGRES_OPTIONS = "-c statement_timeout=5000 -c lock_timeout=2000 -c idle_in_transaction_session_timeout=10000"
# Waiting for a free connection of this process's pool, when all are busy.
POOL_TIMEOUT = 5  # seconds
# SQLite: how long a writer waits for another writer's lock before giving up.
SQLITE_BUSY_SECONDS = 5
# Migrating may wait longer for a lock (SQLite's, or PostgreSQL's): it runs once, with nobody
# waiting on a page.
MIGRATION_BUSY_SECONDS = 30
# /readyz's check of the database: short, and it never queues behind writers.
PROBE_SECONDS = 2


# --- queries that are never logged ---------------------------------------------------------------

_unlogged: ContextVar[bool] = ContextVar("unlogged", default=False)


class _DropWhileUnlogged(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _unlogged.get()


# SQLAlchemy logs statements, their parameters and (at DEBUG) the rows through this logger.
logging.getLogger("sqlalchemy.engine.Engine").addFilter(_DropWhileUnlogged())


@contextmanager
def unlogged() -> Iterator[None]:
    """Statements inside this block, their parameters and rows never reach a log, whatever the level:
    for reads whose very subject says something about a person (the listings shown to them say
    where they are). Per thread or task (a context variable), so other requests still log."""
    token = _unlogged.set(True)
    try:
        yield
    finally:
        _unlogged.reset(token)


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


def _sqlite_path(url: str) -> Path | None:
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" and not database.startswith("file:") else None


def _private_file(path: Path) -> None:
    """The database and its -wal and -shm files readable by this user only: they hold staff
    password hashes and the audit log. SQLite creates -wal and -shm with the database file's
    own permissions, so creating that one 0600 covers all three; older files are narrowed."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError:
        return  # the first query says what is wrong; the app still starts without it
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except OSError:
            continue


def _sqlite_engine(url: str, busy_seconds: float = SQLITE_BUSY_SECONDS) -> Engine:
    path = _sqlite_path(url)
    if path is not None:
        _private_file(path)
    engine = create_engine(url, connect_args={"timeout": busy_seconds})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below); the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_connect_args(url: str, connect_timeout: int = CONNECT_TIMEOUT) -> dict:
    query = make_url(url).query
    args: dict = {} if "connect_timeout" in query else {"connect_timeout": connect_timeout}
    # The operator's own options come last, so a timeout they set in the URL wins.
    given = query.get("options")
    given = " ".join(given) if isinstance(given, tuple) else given
    args["options"] = f"{POSTGRES_OPTIONS} {given}" if given else POSTGRES_OPTIONS
    return args


@functools.cache
def _migration_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str | None:
    """The newest migration this code knows."""
    return _migration_scripts().get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _migration_scripts().walk_revisions())


def schema_state(revision: str | None) -> str:
    """'ok', 'schema behind' (run `python -m wizard db upgrade`) or 'schema newer' (this code is older)."""
    if revision == head_revision():
        return "ok"
    if revision is None or revision in known_revisions():
        return "schema behind"
    return "schema newer"


class Database:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = create_engine(
                self.url,
                pool_pre_ping=True,
                pool_size=5,
                max_overflow=5,
                pool_timeout=POOL_TIMEOUT,
                connect_args=_postgres_connect_args(self.url),
            )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._probe: Engine | None = None
        # How the last writes of this process went (see failures.WriteHealth).
        self.writes = WriteHealth()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration. Safe to run from several processes at once.

        Run by `python -m wizard db upgrade` (and by the app itself in development and tests).
        """
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # SQLite: a longer busy timeout than a page's, for a migration queued behind another.
        engine = _sqlite_engine(self.url, MIGRATION_BUSY_SECONDS) if self.is_sqlite else self.engine
        try:
            with engine.begin() as connection:
                if not self.is_sqlite:
                    # Not a page's timeouts: a data migration may take a while, and another
                    # machine's migration (the advisory lock) may be under way.
                    connection.execute(text("SET LOCAL statement_timeout = 0"))
                    connection.execute(text(f"SET LOCAL lock_timeout = '{MIGRATION_BUSY_SECONDS}s'"))
                    # Released at commit; SQLite's BEGIN IMMEDIATE already serialises migrations.
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            if engine is not self.engine:
                engine.dispose()

    def status(self) -> str:
        """The database as this process sees it, read without taking any write lock:
        'ok', 'unreachable', 'locked', 'schema behind', 'schema newer', or how writes are failing."""
        try:
            revision = self._sqlite_revision() if self.is_sqlite else self._postgres_revision()
        except sqlite3.OperationalError as exc:
            if str(getattr(exc, "sqlite_errorname", "")).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                return "locked"
            if "no such table" in str(exc):
                return "schema behind"
            return "unreachable"
        except Exception as exc:  # any other failure means "not reachable"; the kind says more
            kind = classify(exc).kind
            return kind if kind in ("schema behind", "locked", "lock timeout") else "unreachable"
        schema = schema_state(revision)
        if schema != "ok":
            return schema
        return self.writes.status()

    def _sqlite_revision(self) -> str | None:
        # The driver directly: the engine's connections start every transaction with BEGIN
        # IMMEDIATE, which would queue this check behind any writer. mode=rw never creates a file.
        path = _sqlite_path(self.url)
        if path is None:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=PROBE_SECONDS)
        try:
            connection.execute("PRAGMA query_only=ON")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            connection.close()

    def _postgres_revision(self) -> str | None:
        # A connection of its own, not one of the pool's: when every pooled connection is stuck
        # behind a lock, the check still answers, and within PROBE_SECONDS.
        if self._probe is None:
            args = _postgres_connect_args(self.url, PROBE_SECONDS)
            args["options"] += f" -c statement_timeout={PROBE_SECONDS * 1000}"
            self._probe = create_engine(self.url, poolclass=NullPool, connect_args=args)
        with self._probe.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._probe is not None:
            self._probe.dispose()
