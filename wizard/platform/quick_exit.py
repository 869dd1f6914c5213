""" "Leave this site" inside a partner's frame, when the frame cannot clear its own cookie.

Inside a partner's page the answers live in a *partitioned* cookie, which only
requests made from inside that frame carry. The exit link leaves the partner's
whole page with a top-level request, which arrives without that cookie, so it
cannot delete it. With JavaScript the frame first clears the cookie itself
(static/wizard.js). Without JavaScript the server must refuse the cookie later:

- every embedded session holds a random exit id (not an answer, and useless
  after 30 minutes, the cookie's own idle limit);
- the exit link carries it (`/embed/<partner>/exit?s=<id>`), and the exit adds it
  to a list of ids that have left, kept for 30 minutes;
- the embedded session opener (sessions.py) treats a cookie whose id has left
  as empty, and deletes it.

The list lives in the rate limiter's storage (Redis when RATELIMIT_STORAGE_URI
names one, shared by every process; memory otherwise), never the database: the
questionnaire must work without it. The id is never logged.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from datetime import timedelta

from flask import Flask, g, has_request_context, session, url_for

from wizard.platform.proxies import client_key
from wizard.platform.rate_limits import limiter

log = logging.getLogger(__name__)

# The session key that holds the exit id.
EXIT_ID = "exit_id"
# The cookie's idle limit: after it the cookie is refused anyway, so the id may be forgotten.
REMEMBER_FOR = timedelta(minutes=30)
_ID_FORM = re.compile(r"[A-Za-z0-9_-]{22}")
_KEY = "wizard-left/"
# Exit ids recorded per client (address, or IPv6 /64, as the rate limits count) and minute.
# A person leaves once; more than this is someone filling the list, and is not recorded
# (they still leave, as always).
MAX_RECORDED_PER_MINUTE = 30
_PER_MINUTE_KEY = "wizard-left-count/"


class StorageUnavailable(Exception):
    """The list of ids that have left cannot be read."""


def is_exit_id(value: object) -> bool:
    return isinstance(value, str) and _ID_FORM.fullmatch(value) is not None


def ensure_id(data) -> str:
    """The session's exit id, made now if it has none yet."""
    value = data.get(EXIT_ID)
    if not is_exit_id(value):
        value = secrets.token_urlsafe(16)
        data[EXIT_ID] = value
    return value


def record_left(value: object) -> None:
    """Remember for 30 minutes that the session with this id has left.

    Never raises: the person is leaving, and that must happen whatever the storage does."""
    if not is_exit_id(value):
        return
    storage = limiter.storage
    try:
        minute = int(time.time() // 60)
        if storage.incr(f"{_PER_MINUTE_KEY}{client_key()}/{minute}", 60) > MAX_RECORDED_PER_MINUTE:
            log.warning("quick exit: too many exits from one address this minute; this one is not recorded")
            return
        storage.incr(_KEY + value, int(REMEMBER_FOR.total_seconds()))
    except Exception as exc:  # any storage failure: the JavaScript and Clear-Site-Data paths still work
        log.warning("quick exit: could not record the exit: %s", type(exc).__name__)


def has_left(value: object) -> bool:
    """Whether the session with this id has left. StorageUnavailable when that cannot be known."""
    if not is_exit_id(value):
        return False
    try:
        return limiter.storage.get(_KEY + value) > 0
    except Exception as exc:
        raise StorageUnavailable(type(exc).__name__) from exc


def exit_url() -> str:
    """The address of "Leave this site" on this page.

    In a partner's frame it carries the session's exit id, so that leaving without
    JavaScript can still end the session. A session with nothing in it needs none."""
    if has_request_context() and g.get("partner") is not None and session:
        return url_for("pages.quick_exit", s=ensure_id(session))
    return url_for("pages.quick_exit")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["quick_exit_url"] = exit_url
