"""What kind of database failure happened, in words an operator can act on.

Only the error's codes are read: PostgreSQL's SQLSTATE, SQLite's error name, and
whether SQLAlchemy found the connection dead. Never the message text, which can
quote the values of a statement (a person's sealed details, a staff name).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

# SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_POSTGRES = {
    "55P03": ("lock timeout", False),  # lock_timeout: the INSERT never ran
    "57014": ("statement timeout", True),  # statement_timeout: may have hit the COMMIT
    "25P03": ("idle transaction timeout", False),
    "53100": ("disk full", False),
    "57P01": ("connection killed", True),  # admin shutdown or pg_terminate_backend
    "57P02": ("connection killed", True),  # crash shutdown
    "57P03": ("server starting", False),  # cannot_connect_now
    "42P01": ("schema behind", False),  # undefined_table
    "42703": ("schema behind", False),  # undefined_column
    "40001": ("serialisation failure", False),
    "40P01": ("deadlock", False),
}
_POSTGRES_CLASSES = {
    "08": ("connection lost", True),
    "53": ("server out of resources", False),
    "58": ("server I/O error", True),
}
_SQLITE = {
    "SQLITE_FULL": ("disk full", False),
    "SQLITE_BUSY": ("locked", False),
    "SQLITE_LOCKED": ("locked", False),
    "SQLITE_READONLY": ("read-only", False),
    "SQLITE_CANTOPEN": ("cannot open the file", False),
    "SQLITE_IOERR": ("disk I/O error", True),
    "SQLITE_CORRUPT": ("damaged file", False),
    "SQLITE_NOTADB": ("damaged file", False),
}
# Kinds that are worth one more try in a moment: the connection went, the server did not.
RETRYABLE = frozenset({"connection lost", "connection killed"})
# Kinds a successful read rules out: once /readyz's read works again, they are over.
SEEN_BY_READS = frozenset(
    {"unreachable", "connection lost", "connection killed", "server starting", "schema behind", "cannot open the file"}
)


@dataclass(frozen=True)
class Failure:
    kind: str  # "unreachable", "disk full", "lock timeout", "connection lost", ...
    code: str  # the SQLSTATE, the SQLite error name, or the exception's type
    maybe_written: bool  # could the failed statement have been a COMMIT that took effect?


def classify(exc: BaseException) -> Failure:
    known = getattr(exc, "failure", None)
    if isinstance(known, Failure):
        return known
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    errorname = getattr(orig, "sqlite_errorname", None)
    code = sqlstate or errorname or type(orig if orig is not None else exc).__name__
    if isinstance(errorname, str):
        # Extended names (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT) share their primary's meaning.
        primary = "_".join(errorname.split("_")[:2])
        if primary in _SQLITE:
            kind, maybe = _SQLITE[primary]
            return Failure(kind, code, maybe)
        if primary == "SQLITE_ERROR" and "no such" in str(orig):
            # "no such table/column": looked at here, never logged.
            return Failure("schema behind", code, False)
        return Failure("other", code, True)
    if isinstance(sqlstate, str):
        if sqlstate in _POSTGRES:
            return Failure(_POSTGRES[sqlstate][0], code, _POSTGRES[sqlstate][1])
        if sqlstate[:2] in _POSTGRES_CLASSES:
            kind, maybe = _POSTGRES_CLASSES[sqlstate[:2]]
            return Failure(kind, code, maybe)
        return Failure("other", code, True)
    if getattr(exc, "connection_invalidated", False):
        return Failure("connection lost", code, True)
    if type(orig).__name__ == "OperationalError" and type(orig).__module__.startswith("psycopg"):
        # No SQLSTATE: the driver could not reach the server (refused, timed out, name unknown).
        return Failure("unreachable", code, False)
    return Failure("other", code, True)


class OutcomeUnknown(SQLAlchemyError):
    """A write failed at a point where it may have been committed, and checking failed too.

    The person is asked to send the same form again: its key makes that safe."""

    def __init__(self, failure: Failure):
        super().__init__(f"outcome unknown after {failure.kind}")
        self.failure = Failure(failure.kind, failure.code, True)


class WriteHealth:
    """The outcome of this process's last writes, for /readyz: a read-only check cannot
    see a full disk or a table lock, but the writes that fail on them can."""

    WINDOW = 60.0  # seconds a failure stays news without a success after it

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: tuple[str, float] | None = None

    def succeeded(self) -> None:
        with self._lock:
            self._failed = None

    def failed(self, kind: str) -> None:
        with self._lock:
            self._failed = (kind, time.monotonic())

    def status(self) -> str:
        """'ok', or 'failing: <kind>' for a recent failure that a successful read does not rule out
        (a full disk, a lock): called once the read check has succeeded."""
        with self._lock:
            failed = self._failed
        if failed is None or failed[0] in SEEN_BY_READS or time.monotonic() - failed[1] > self.WINDOW:
            return "ok"
        return f"failing: {failed[0]}"
