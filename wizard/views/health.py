"""Health checks for a load balancer or an orchestrator.

- ``/healthz``: the process is up and answering (no database, nothing else).
- ``/readyz``: this instance can serve people: the rules are loaded and the
  database answers. 503 otherwise, with a JSON body naming the check that failed
  (never a URL, a password or an error text).

Neither is rate-limited, cached or given a cookie, and their request lines are
logged at DEBUG only (see logging_setup.py), so frequent probes stay quiet.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from ..limits import limiter

bp = Blueprint("health", __name__)
# The session is never opened for these (see state.keep_alive): no cookie, no Vary: Cookie.
ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


def _rules_loaded() -> bool:
    matcher = current_app.extensions.get("matcher")
    return matcher is not None and bool(matcher.approaches) and current_app.extensions.get("journey") is not None


def _database_reachable() -> bool:
    database = current_app.extensions.get("database")
    return database is not None and database.ping()


@bp.get("/readyz")
@limiter.exempt
def readyz() -> Response:
    checks = {
        "rules": "ok" if _rules_loaded() else "not loaded",
        "database": "ok" if _database_reachable() else "unreachable",
    }
    ready = all(value == "ok" for value in checks.values())
    mode = "development" if current_app.config.get("DEVELOPMENT") else "production"
    response = jsonify({"status": "ready" if ready else "not ready", "mode": mode, "checks": checks})
    response.status_code = 200 if ready else 503
    return response
