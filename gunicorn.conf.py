"""gunicorn settings for serving the wizard in production (`make serve`).

Everything comes from the environment (see the README's Configuration table):

    HOST, PORT            where to listen (127.0.0.1:8000; `make serve` uses 127.0.0.1:5000)
    WEB_CONCURRENCY       worker processes (2 x cores + 1, at most 8)
    WEB_THREADS           threads per worker (4)
    FORWARDED_ALLOW_IPS   proxies gunicorn itself believes about the scheme (127.0.0.1,::1)
    LOG_LEVEL             INFO

Several instances may run side by side on one machine: each needs its own PORT,
and none opens a control socket. They keep nothing that matters in memory:
call-backs and staff sessions are in the database, rate limits in Redis
(RATELIMIT_STORAGE_URI), answers in the visitor's signed cookie.

No worker changes the database when it starts: the schema is brought up to date
by `python -m wizard db upgrade` beforehand (`make serve`, the systemd unit's
ExecStartPre). Each worker reads the service directory and the towns gazetteer
once it has loaded the app (``post_worker_init``), before it takes a request, so
its first results pages are as quick as the rest. A worker that starts, or
restarts, during a database outage still serves the public pages: the directory
stays empty until the database answers, and it never fails to boot for it, which
gunicorn would turn into stopping the whole instance.

Logs are JSON lines on stderr (``logconfig_dict`` below, with the formatter and filters
of wizard/platform/logging_setup.py). gunicorn's own access log stays off: the app
writes one line per request with the route's pattern, never the path as typed or its
query string.
"""

import os
import sys
from pathlib import Path

from gunicorn import glogging

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def _int(name, default):
    text = os.environ.get(name, "").strip()
    return int(text) if text else default


wsgi_app = "wsgi:app"
chdir = str(HERE)
bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"]
workers = _int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8))  # as wizard.platform.preflight.default_workers
# Threads overlap waiting on the database; the matching and the pages themselves are quick.
threads = _int("WEB_THREADS", 4)
worker_class = "gthread"
# Each worker opens its own database connections after the fork (no preloading).
preload_app = False
timeout = 30
graceful_timeout = 20
# Behind a reverse proxy that reuses its connections to the instances.
keepalive = 5
# Two instances on one machine must not fight over one control socket.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "wizard"

loglevel = os.environ.get("LOG_LEVEL", "info").lower()
errorlog = "-"
accesslog = None


class QuietAccessLogger(glogging.Logger):
    """gunicorn's logger, without the access line: gunicorn works out the line's fields (the time,
    the request line, every header) for each request whenever logging is set up by dictionary, and
    only then does the CRITICAL level of "gunicorn.access" below drop it. Those fields are never
    written, so they are not worked out: 0.05 ms or more of every request, measured."""

    def access(self, resp, req, environ, request_time):
        return None


logger_class = QuietAccessLogger

# The same JSON lines as the app's (logging_setup.JsonFormatter, an allow-list of fields), from
# gunicorn's own logger (start, workers, errors) and every other one through the root logger.
_LEVEL = loglevel.upper() if loglevel.upper() in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else "INFO"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "wizard.platform.logging_setup.JsonFormatter"}},
    "filters": {
        "redact": {"()": "wizard.platform.logging_setup.Redact"},
        "quiet_storage_errors": {"()": "wizard.platform.logging_setup.QuietStorageErrors"},
    },
    "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": _LEVEL, "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": _LEVEL, "handlers": [], "propagate": True, "filters": ["redact"]},
        # gunicorn's access line holds the raw request line (path as typed, query string, share code)
        # and the client's address: never written. The app logs each request itself, by route pattern.
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        "flask-limiter": {"filters": ["redact", "quiet_storage_errors"]},
        # Says too much at INFO for a production log (logging_setup.QUIET_LOGGERS).
        **({} if _LEVEL == "DEBUG" else {"alembic.runtime.plugins": {"level": "WARNING"}}),
    },
}


def on_starting(server):
    """Refuse to start, with one clear message, when SECRET_KEY or DATA_KEYS is missing or unusable."""
    from wizard.platform.preflight import check_or_explain

    check_or_explain(workers=server.cfg.workers)


def post_worker_init(worker):
    """Load the directory and the gazetteer before the first request; whatever goes wrong, the worker
    still starts (the pages load them on first use instead)."""
    from wizard.platform.services import KEY

    app = getattr(worker.wsgi, "public", worker.wsgi)  # the site (wsgi:app), or the public app alone
    shared = getattr(app, "extensions", {}).get(KEY)
    if shared is None:
        return
    try:
        shared.directory.warm(alive=worker.notify)
    except Exception as exc:
        worker.log.warning("warm_up_failed: %s", type(exc).__name__)
    _freeze_what_start_up_made()


def _freeze_what_start_up_made():
    """Leave the objects made at start-up (the code, the rules, the gazetteer, the directory's index:
    some 300,000 with 50,000 services) out of the garbage collector's full passes. Each pass read them
    all, about 150 ms during which the worker's threads all wait, and they live as long as the worker.
    Objects dropped later (an index replaced when the directory is published again) are still freed
    by their reference counts."""
    import gc

    gc.collect()
    gc.freeze()
