"""Gzip for text responses, so pages stay light on slow and metered connections.

Pages reflect no free text from the visitor (only fixed option labels), so
compressing a page next to its CSRF token does not open a BREACH-style leak.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "application/json",
)
MINIMUM_BYTES = 1024


def _compress(response: Response) -> Response:
    if (
        response.status_code < 200
        or response.status_code >= 300
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
    ):
        return response
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MINIMUM_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_compress)
