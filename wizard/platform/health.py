"""Health checks for a load balancer, an orchestrator and alerting.

- ``/healthz``: the process is up and answering (no database, nothing else).
- ``/readyz``: this process can serve people: the rules are loaded. 200 even while
  the database is down: every instance shares one database, so taking them all out
  of a load balancer would hide the crisis line and the questions, which never need
  it. The body says how the database is (``checks.database``) for a person reading it.
- ``/readyz/database``: 200 only while the database answers, has the newest schema and
  this process's writes succeed; 503 otherwise. For alerting, not for routing.

The database is checked without taking any write lock (see Database.status), in at most a
couple of seconds. The body names the state, never a URL, a password or an error text:
"ok", "unreachable", "locked", "schema behind", "schema newer", or "failing: <kind>" when
the last writes failed (a full disk, a lock timeout) while reads still work.

None is rate-limited, cached or given a cookie, and their request lines are logged at
DEBUG only (see logging_setup.py), so frequent probes stay quiet.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from wizard.platform.rate_limits import limiter
from wizard.platform.services import KEY

bp = Blueprint("health", __name__)
# The session is never opened for these: state.QUIET_ENDPOINTS lists them (no cookie, no Vary: Cookie).


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


def _rules_loaded() -> bool:
    shared = current_app.extensions.get(KEY)
    matcher = shared.matcher if shared is not None else None
    return matcher is not None and bool(matcher.approaches) and shared.journey is not None


def _database_status() -> str:
    shared = current_app.extensions.get(KEY)
    database = shared.database if shared is not None else None
    return "not configured" if database is None else database.status()


def _mode() -> str:
    return "development" if current_app.config.get("DEVELOPMENT") else "production"


@bp.get("/readyz")
@limiter.exempt
def readyz() -> Response:
    checks = {"rules": "ok" if _rules_loaded() else "not loaded", "database": _database_status()}
    # Only what this process needs to serve pages decides readiness.
    ready = checks["rules"] == "ok"
    response = jsonify({"status": "ready" if ready else "not ready", "mode": _mode(), "checks": checks})
    response.status_code = 200 if ready else 503
    return response


@bp.get("/readyz/database")
@limiter.exempt
def database() -> Response:
    state = _database_status()
    response = jsonify({"database": state})
    response.status_code = 200 if state == "ok" else 503
    return response
