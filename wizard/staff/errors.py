"""The console's error pages: English, with the console's own layout and links.

The public error pages speak to someone looking for help (and clear their answers
when a form expires); staff need different words and a way back to sign in.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
}


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
    return render_template("staff/error.html", title=title, message=message, status=500), 500


def init_app(app: Flask) -> None:
    # A form whose token no longer matches: staff have their own cookie and no answers to clear.
    app.register_error_handler(CSRFError, lambda _error: session_expired_page())
    app.register_error_handler(HTTPException, error_page)
    app.register_error_handler(Exception, unexpected_page)
