"""Rate limits, shared by every process when RATELIMIT_STORAGE_URI points at Redis.

The in-memory default needs no service, which is right for `make run` and a
single process.
"""

from __future__ import annotations

from flask import Flask, g
from flask_limiter import Limiter

from wizard.platform.proxies import client_key


class RouteLimiter(Limiter):
    """Flask-Limiter, without its before-request search for limits when no limit could be found there.

    Before every request Flask-Limiter works out which limits apply to it (the application's, the
    defaults, the blueprint's, meta limits, the in-memory fallback's): some 0.1 ms a page, and the
    site has none of those, only limits on a few views, which their own decorator checks when the
    view is called. The search is skipped only while every one of those lists is empty; as soon
    as one is set (by settings or code), every request is checked as before."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self._limits_before_views():
            return
        super()._check_request_limit(callable_name, in_middleware)

    def _limits_before_views(self) -> bool:
        # Private attributes of Flask-Limiter 4: one that a later version renames or drops counts as
        # set (True), so the search runs as before rather than a limit going unchecked.
        manager = getattr(self, "limit_manager", None)
        return bool(
            getattr(manager, "_application_limits", True)
            or getattr(manager, "_default_limits", True)
            or getattr(manager, "_blueprint_limits", True)
            or getattr(self, "_meta_limits", True)
            or getattr(self, "_in_memory_fallback", True)
        )


limiter = RouteLimiter(key_func=client_key, default_limits=[], headers_enabled=True)


def init_app(app: Flask, *, headers_on_every_response: bool = False) -> None:
    """headers_on_every_response: the JSON API documents its X-RateLimit-* headers on every
    response; the pages keep them on a 429 only (see keep_rate_headers_for_429)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # If Redis goes away, count in this process's memory until it is back, rather than
    # refuse someone asking for help because the counter is unreachable.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    bound_redis_waits(app)
    if headers_on_every_response:
        limiter.init_app(app)
        return
    # Registered before the limiter's own hook so that it runs after it (Flask runs
    # after_request hooks last-registered first); see keep_rate_headers_for_429.
    app.after_request(keep_rate_headers_for_429)
    limiter.init_app(app)
    app.after_request(remember_retry_after)


# --- bounded waits on Redis (D6) ---------------------------------------------------------------------------------

# A Redis that accepts connections but never answers (hung, or half a network partition away)
# must fail fast, so that the in-memory fallback takes over, instead of holding every
# call-back request for as long as the hang lasts. redis-py has no timeout by default.
REDIS_TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}


def bound_redis_waits(app: Flask) -> None:
    options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    for name, seconds in REDIS_TIMEOUTS.items():
        options.setdefault(name, seconds)
    # The memory storage ignores these options.
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options


# --- rate-limit headers only where they mean something (D10) -----------------------------------------------------

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
_RATE_HEADER_KEYS = frozenset(name.lower() for name in RATE_HEADERS)


def remember_retry_after(response):
    """Runs before the limiter's hook: keep the page's own Retry-After (a 503's few seconds),
    which the limiter would replace with the time until its window resets."""
    # Read from the list rather than with get(), which raises and catches an exception inside for a
    # header that is not there (every page but a 503).
    g.own_retry_after = next((value for name, value in response.headers.items() if name.lower() == "retry-after"), None)
    return response


def keep_rate_headers_for_429(response):
    """Runs after the limiter's hook. On a page that was not refused by a limit (a confirmation,
    a form error, a 503), the limiter's headers only mislead: "Retry-After: 3599" on a storage
    503 tells clients and proxies the service is down for an hour."""
    if response.status_code == 429:
        return response
    # One pass over the headers: asking for each name in turn searches them all three times, and each
    # name not found (every page but a limited one) is an exception inside Werkzeug.
    if not _RATE_HEADER_KEYS.isdisjoint(name.lower() for name, _ in response.headers.items()):
        for name in (*RATE_HEADERS, "Retry-After"):
            response.headers.pop(name, None)
        own = g.get("own_retry_after")
        if own is not None:
            response.headers["Retry-After"] = own
    return response
