"""Structured logs: one JSON object per line, and one request line per request.

What a line may hold is decided here, not by whoever calls the logger: the time,
level, logger and message, the process, and for a request its id, method,
route *pattern* (``/shared/<code>``, never the code), status and duration.
Never a query string, a form value, a cookie, a header, an address or a path
as typed: answers and contact details must not reach logs, which are kept
longer than requests and read by more people.

Used by gunicorn (``logconfig_dict`` in gunicorn.conf.py names the formatter and
filters for the master's and workers' logs) and by the app outside development
(``configure_logging``). Kept by hand on purpose: the formatter is an allow-list of
fields, where python-json-logger drops only the fields it is told to, and no library
logs a route's pattern instead of the path as typed.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

REQUEST_LOGGER = "wizard.access"
ROUTE_KEY = "wizard.route"
REQUEST_ID_KEY = "wizard.request_id"
# Fields a record may carry besides the message, each of a fixed, harmless kind.
REQUEST_FIELDS = ("request_id", "method", "route", "status", "duration_ms")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A request id from the proxy in front (nginx's $request_id is 32 hex digits), or one of ours.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Load-balancer probes come every few seconds: their lines are DEBUG, not INFO.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/readyz/database"})

# Libraries that say too much at INFO for a production log.
QUIET_LOGGERS = {"alembic.runtime.plugins": logging.WARNING}

# A request that takes this long is logged at WARNING (SLOW_REQUEST_SECONDS).
SLOW_REQUEST_SECONDS = 5.0

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("wizard_request_id", default=None)


# json.dumps with options makes a new encoder for every call; one made once writes the same text.
_to_json = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Other attributes put on a record (``extra=``) are dropped."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if "request_id" not in entry and (request_id := current_request_id.get()) is not None:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return _to_json(entry)


class QuietStorageErrors(logging.Filter):
    """flask-limiter logs a full traceback ("... Swallowing error") each time its storage (Redis)
    fails while it carries on without it: an expected, handled condition. Here it becomes one
    WARNING line naming only the error's type, at most once a minute per process."""

    EVERY = 60.0  # seconds

    def __init__(self) -> None:
        super().__init__()
        self._last = -self.EVERY

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        if record.name != "flask-limiter" or not message.endswith("Swallowing error"):
            return True
        now = time.monotonic()
        if now - self._last < self.EVERY:
            return False
        self._last = now
        error = type(record.exc_info[1]).__name__ if record.exc_info and record.exc_info[1] else "error"
        record.msg, record.args = "rate limit storage unreachable (%s); carrying on without it", (error,)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True


class Redact(logging.Filter):
    """Library messages that would put an address, a path as typed or a request line in the log.

    flask-limiter names the client's address when a limit is reached; gunicorn names the
    address and quotes the request line of a malformed request, and the URI (query string
    included) of a request the app failed on. The facts stay, the details go.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        if record.name == "flask-limiter" and message.startswith("ratelimit %s (%s) exceeded"):
            args = record.args if isinstance(record.args, tuple) and len(record.args) == 3 else (None, None, None)
            limit, _client, endpoint = args
            record.msg, record.args = "rate limit %s reached at endpoint %s", (limit, endpoint)
        elif record.name == "gunicorn.error" and message.startswith("Error handling request"):
            record.msg, record.args = "Error handling request", ()
        elif record.name == "gunicorn.error" and message.startswith("Invalid request from ip="):
            record.msg, record.args = "Invalid request (not HTTP, or malformed)", ()
        return True


REDACTED_LOGGERS = ("flask-limiter", "gunicorn.error")


def install_redaction() -> None:
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, Redact) for f in logger.filters):
            logger.addFilter(Redact())
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, QuietStorageErrors) for f in limiter_log.filters):
        limiter_log.addFilter(QuietStorageErrors())


def level_from(name: str | None, default: int = logging.INFO) -> int:
    level = logging.getLevelName((name or "").strip().upper())
    return level if isinstance(level, int) else default


def quiet_libraries(level: int) -> None:
    for name, quiet in QUIET_LOGGERS.items():
        if level > logging.DEBUG:
            logging.getLogger(name).setLevel(quiet)


def configure_logging(level: int | str = logging.INFO, stream=None) -> None:
    """JSON lines on stderr from every logger, unless the root logger already has handlers
    (gunicorn's logconfig_dict set them up, or the deployment configured logging its own way)."""
    root = logging.getLogger()
    if isinstance(level, str):
        level = level_from(level)
    if root.handlers:
        return
    quiet_libraries(level)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def _request_id(environ: dict) -> str:
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if REQUEST_ID.match(given) else secrets.token_hex(8)


class RequestLog:
    """WSGI middleware: one line per request, when the app has made its response.

    The route comes from Flask (``note_route`` puts the matched rule's pattern into the
    environ, since Flask has let go of the request by the time it returns here); a
    request that matched no route is logged with ``route: null``, never with the path it
    asked for. The request id is echoed in an ``X-Request-ID`` header.
    """

    def __init__(self, app: Callable, logger: logging.Logger | None = None, slow_seconds: float = SLOW_REQUEST_SECONDS):
        self.app = app
        self.logger = logger or logging.getLogger(REQUEST_LOGGER)
        self.slow_seconds = slow_seconds

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = _request_id(environ)
        environ[REQUEST_ID_KEY] = request_id
        token = current_request_id.set(request_id)
        status: list[int] = [500]

        def _start_response(status_line: str, headers: list, exc_info=None):
            try:
                status[0] = int(status_line.split(" ", 1)[0])
            except ValueError:
                status[0] = 0
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", request_id))
            return start_response(status_line, headers, exc_info)

        # Flask has the whole response ready when it returns (a file is sent afterwards):
        # the duration is the app's own time, without the network's.
        try:
            return self.app(environ, _start_response)
        finally:
            try:
                self.log(environ, request_id, status[0], time.perf_counter() - started)
            finally:
                current_request_id.reset(token)

    def log(self, environ: dict, request_id: str, status: int, seconds: float) -> None:
        method = environ.get("REQUEST_METHOD", "")
        method = method if method in METHODS else "OTHER"
        route = environ.get(ROUTE_KEY)
        level = logging.DEBUG if route in QUIET_ROUTES and status < 500 else logging.INFO
        if seconds >= self.slow_seconds:
            # A request this slow was waiting on something (a lock, a hung server): say so at
            # WARNING, so that an operator alerting on warnings hears of it.
            level = logging.WARNING
        if not self.logger.isEnabledFor(level):
            return
        # The record is made here and handed to the logger's filters and handlers, as Logger.log does,
        # without Logger.log's search of the call stack for a file and line that no line shows.
        record = self.logger.makeRecord(
            self.logger.name,
            level,
            __file__,
            0,
            "%s %s %s" + (" (slow)" if level == logging.WARNING else ""),
            (method, route or "(no route)", status),
            None,
            extra={
                "request_id": request_id,
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        self.logger.handle(record)


def slow_request_seconds(config) -> float:
    """SLOW_REQUEST_SECONDS from the app's settings or the environment; the default if unusable."""
    text = str(config.get("SLOW_REQUEST_SECONDS") or os.environ.get("SLOW_REQUEST_SECONDS", "")).strip()
    try:
        seconds = float(text) if text else SLOW_REQUEST_SECONDS
    except ValueError:
        return SLOW_REQUEST_SECONDS
    return seconds if seconds > 0 else SLOW_REQUEST_SECONDS


def note_route(_error: BaseException | None) -> None:
    """A teardown_request hook: it runs at the end of every request, however it ended (a
    before_request hook such as CSRF, an abort while reading the URL, an error), while the
    matched rule is still known, and records that rule's pattern."""
    # Imported here: gunicorn's master loads this module for its formatter, without Flask.
    from flask import request

    rule = request.url_rule
    request.environ[ROUTE_KEY] = rule.rule if rule is not None else None


def init_app(app) -> None:
    """The route for the request lines (see RequestLog, which wraps the whole site once);
    JSON output outside development and tests."""
    app.teardown_request(note_route)
    install_redaction()
    if not (app.config.get("DEVELOPMENT") or app.testing):
        configure_logging(app.config.get("LOG_LEVEL", "INFO"))
