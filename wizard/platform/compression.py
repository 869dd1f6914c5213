"""Brotli or gzip for text responses (flask-compress), so pages stay light on slow and metered connections.

Brotli when the browser accepts it (every current browser does, over HTTPS), gzip
otherwise, nothing for clients that accept neither. A compressed response keeps an
ETag of its own (the file's tag with ":br" or ":gzip"), and If-None-Match is checked
against it.

BREACH: a compressed page that reflects what a visitor sent beside a secret can leak
the secret to someone who can both inject text and watch the response sizes. The
call-back form echoes what was typed next to its CSRF token, so that risk is limited
by other means: cookies are SameSite (Lax, Strict for staff; partitioned in frames),
so another site cannot make the browser send the many requests with the visitor's
cookie that the attack needs; and the language links keep no query argument but
`change=1` (nothing else typed in an address is reflected).
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

COMPRESSIBLE = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "application/json",
    "application/problem+json",
]

SETTINGS = {
    # zstd is left out: brotli is smaller on these pages, and every browser that sends zstd sends br too.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Files (sent in chunks) are compressed as they go, with the same two.
    "COMPRESS_STREAMS": True,
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    # If-None-Match is compared with the compressed response's own tag (the file's, plus ":br" or ":gzip").
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": True,
    "COMPRESS_MIMETYPES": COMPRESSIBLE,
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_LEVEL": 6,
    # One brotli quality for pages and files, measured (CPU ms per response, median of 300):
    #   results page, 47.5 KB: gzip-6 10,606 B 0.73 ms | br-1 11,953 B 0.10 ms | br-4 10,406 B 0.41 ms
    #                          br-5 9,862 B 0.63 ms | br-6 9,806 B 0.68 ms | br-11 8,398 B 55 ms
    #   wizard.css, 24.0 KB:   gzip-6 5,955 B 0.34 ms | br-1 7,627 B 0.06 ms | br-4 6,223 B 0.24 ms
    #                          br-5 5,667 B 0.33 ms | br-6 5,608 B 0.36 ms | br-11 5,115 B 25 ms
    # 4, in text mode, as the pages were compressed before this library: pages are fetched on every step
    # and 5 costs the results page 0.3 ms more CPU (+10% of the whole request) to save 5% of 10 KB. Files
    # (hashed names, cached for a year, fetched once per visitor) then lose 4% to gzip, a price paid once.
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_BR_MODE": 1,  # brotli.MODE_TEXT
}


def init_app(app: Flask) -> None:
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    Compress(app)
