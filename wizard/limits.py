"""Rate limits, shared by every process when RATELIMIT_STORAGE_URI points at Redis.

The in-memory default needs no service, which is right for `make run` and a
single process.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

from .proxies import client_key

limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # If Redis goes away, count in this process's memory until it is back, rather than
    # refuse someone asking for help because the counter is unreachable.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
