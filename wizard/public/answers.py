"""The person's answers, kept only in their own session cookie.

The cookie is signed (so it cannot be forged into other answers), has no
expiry date, and is refused by the server after 30 minutes without use.
Everything read back is checked again against the rules.
"""

from __future__ import annotations

import time

from flask import g, request, session

from wizard.domain.journey import Journey, Walk
from wizard.domain.messages import Message
from wizard.platform.services import services

ANSWERS = "answers"
# Requests that never open the session: assets, and the health checks (no cookie for them).
QUIET_ENDPOINTS = frozenset({"static", "health.healthz", "health.readyz", "health.database"})
ERRORS = "errors"
# How old the cookie's signature may be before a page signs it again.
RENEW_AFTER_S = 60


def journey() -> Journey:
    return services().journey


def load_walk() -> Walk:
    """The walk of the stored answers, checked against the rules once per request (views
    and templates all ask). An answer carries this walk on (`Step.submit`) rather than
    starting another."""
    if "_walk" not in g:
        g._walk = journey().sanitise(session.get(ANSWERS, {}))
    return g._walk


def save(walk: Walk) -> None:
    """Store the answers of this walk, which is then the request's walk."""
    session[ANSWERS] = dict(walk.answers)
    g._walk = walk


def clear() -> None:
    session.clear()
    g.pop("_walk", None)


def keep_alive() -> None:
    """Renew the 30-minute idle limit while someone is using the wizard's pages.

    At most once a minute: signing and sending the cookie again on every page was a
    noticeable part of each request, and a limit of 29 to 30 minutes serves the same end.
    """
    if request.endpoint in QUIET_ENDPOINTS or ANSWERS not in session:
        return
    signed_at = getattr(session, "signed_at", None)
    if signed_at is None or now() - signed_at >= RENEW_AFTER_S:
        session.modified = True


def now() -> float:
    return time.time()


def set_error(question_id: str, message: str) -> None:
    # Kept as the English message id (and its parameters) and translated when shown.
    params = getattr(message, "params", {})
    session[ERRORS] = {question_id: [str.__str__(message), params]}


def pop_error(question_id: str) -> str | None:
    errors = session.pop(ERRORS, None)
    if isinstance(errors, dict):
        value = errors.get(question_id)
        if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], dict):
            params = {k: v for k, v in value[1].items() if isinstance(k, str) and isinstance(v, str)}
            return Message(value[0], **params)
    return None
