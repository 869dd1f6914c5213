"""The console's error pages: English, with the console's own layout and links.

The public error pages speak to someone looking for help (and clear their answers
when a form expires); staff need different words and a way back to sign in.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from wizard.storage.failures import classify

logger = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something was wrong with that request", "Go back and try again."),
    404: ("Page not found", "There is nothing at this address. If you typed a reference, check it."),
    405: ("This page cannot be used that way", "Go back and use the buttons on the page."),
    413: (
        "That was too much information",
        "The form sent more than the console accepts. A note can be up to 1,000 characters.",
    ),
    429: (
        "Too many attempts",
        "There have been too many sign-in attempts from your connection, or for this username, "
        "in a short time. Wait a minute, then try again.",
    ),
    500: ("Something went wrong", "The console could not do that. Try again in a moment."),
    503: (
        "The console cannot reach its database",
        "Nothing was changed. This is usually over within a minute: try again in a moment. "
        "If it goes on, tell the person who runs the service.",
    ),
}
# A database outage is usually over in seconds: say so, rather than nothing (or an hour).
RETRY_AFTER_SECONDS = 5


def error_page(error: HTTPException):
    code = error.code or 400
    title, message = MESSAGES.get(code, MESSAGES[400])
    return render_template("errors/staff.html", title=title, message=message, status=code), code


def session_expired_page():
    """A form whose CSRF token no longer matches: the staff session ended or the cookie is gone."""
    # A security event (ASVS 16.3.3): the route's pattern only, never the path as typed.
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    logger.warning("Staff form refused: CSRF check failed on %s %s", request.method, route)
    return (
        render_template(
            "errors/staff.html",
            title="Your session expired",
            message="For security, the form could not be sent. Sign in again, then try once more.",
            status=400,
            sign_in_link=True,
        ),
        400,
    )


def unexpected_page(error: Exception):
    # Outside development the type only: an exception message could quote what was typed.
    if current_app.config.get("DEVELOPMENT") or current_app.testing:
        logger.error("unexpected error", exc_info=error)
    else:
        logger.error("unexpected error: %s", type(error).__name__)
    title, message = MESSAGES[500]
    return render_template("errors/staff.html", title=title, message=message, status=500), 500


def storage_unavailable_page(error: SQLAlchemyError):
    # The failure's kind and code only: the exception's text could quote a statement's values.
    failure = classify(error)
    logger.error("Staff console: database unavailable: %s (%s)", failure.kind, failure.code)
    title, message = MESSAGES[503]
    page = render_template("errors/staff.html", title=title, message=message, status=503)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    # A form whose token no longer matches: staff have their own cookie and no answers to clear.
    app.register_error_handler(CSRFError, lambda _error: session_expired_page())
    app.register_error_handler(HTTPException, error_page)
    # The database is down or refused the statement: a page that says so, never a traceback.
    app.register_error_handler(SQLAlchemyError, storage_unavailable_page)
    app.register_error_handler(Exception, unexpected_page)
