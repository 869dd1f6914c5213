"""CSRF protection, security headers and no-store caching for every response."""

from __future__ import annotations

from functools import lru_cache

import flask_wtf.csrf
from flask import Flask, Response, g, request
from flask_wtf.csrf import CSRFProtect

from wizard.platform.sessions import kept_serializer

csrf = CSRFProtect()
# Flask-WTF makes a serializer, its signer and its key again for each token it makes or checks (every
# page with a form, every form sent); it looks the class up by this name each time, so it is given
# the same serializer made once per secret key. The tokens are the same.
flask_wtf.csrf.URLSafeTimedSerializer = kept_serializer

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        # Explicit as well as implied by default-src (ASVS 3.4.3): no plugins, ever.
        "object-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "frame-src 'self'",
        "manifest-src 'self'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Same-origin only: a page elsewhere never learns which page of ours someone was on.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Each with its name in lower case, to compare with the names a response has already.
SITE_HEADERS = tuple((name, name.lower(), value) for name, value in HEADERS.items())

# Responses that hold nothing personal and may be cached: assets and the embed's script and theme.
# Static files set their own Cache-Control (a year under a hashed name, see assets.py).
CACHEABLE = {"static", "embed.loader", "embed.theme"}


def _apply_headers(response: Response) -> Response:
    partner = g.get("partner")
    headers = response.headers
    # What a view set itself is kept. The names present are read once, rather than the whole list searched
    # again for each of seven headers.
    present = {name.lower() for name, _ in headers.items()}
    for name, key, value in SITE_HEADERS if partner is None else _embed_headers(tuple(partner.allowed_origins)):
        if key not in present:
            headers.add(name, value)
    if request.endpoint in CACHEABLE and response.status_code in (200, 206, 304):
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
    else:
        # Pages can hold answers (and error pages show the country's crisis line):
        # never keep them in any cache, including Back/Forward.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


@lru_cache(maxsize=64)
def _embed_headers(allowed_origins: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """Inside the embed, frame-ancestors (the partner's origins) decides who may frame the page, not X-Frame-Options."""
    ancestors = " ".join(["'self'", *allowed_origins])
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    return tuple(
        (name, name.lower(), policy if name == "Content-Security-Policy" else value)
        for name, value in HEADERS.items()
        if name != "X-Frame-Options"
    )


def init_app(app: Flask, *, forms: bool = True) -> None:
    """forms: the app takes form posts riding on its cookie, so they need a CSRF token (the
    API sets no cookie and takes JSON: it has nothing for a cross-site request to ride on)."""
    if forms:
        csrf.init_app(app)
    app.after_request(_apply_headers)
