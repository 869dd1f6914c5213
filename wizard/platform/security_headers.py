"""CSRF protection, security headers and no-store caching for every response."""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

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


# Responses that hold nothing personal and may be cached: assets and the embed's script and theme.
# Static files set their own Cache-Control (a year under a hashed name, see assets.py).
CACHEABLE = {"static", "embed.loader", "embed.theme"}


def _apply_headers(response: Response) -> Response:
    partner = g.get("partner")
    for name, value in HEADERS.items():
        if partner is not None and name == "X-Frame-Options":
            continue  # inside the embed, frame-ancestors decides who may frame the page
        if partner is not None and name == "Content-Security-Policy":
            ancestors = " ".join(["'self'", *partner.allowed_origins])
            value = value.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
        response.headers.setdefault(name, value)
    if request.endpoint in CACHEABLE and response.status_code in (200, 206, 304):
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
    else:
        # Pages can hold answers (and error pages show the country's crisis line):
        # never keep them in any cache, including Back/Forward.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask, *, forms: bool = True) -> None:
    """forms: the app takes form posts riding on its cookie, so they need a CSRF token (the
    API sets no cookie and takes JSON: it has nothing for a cross-site request to ride on)."""
    if forms:
        csrf.init_app(app)
    app.after_request(_apply_headers)
