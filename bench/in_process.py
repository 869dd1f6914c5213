"""The app in production mode, in this process, for the benchmarks that need no server.

As a deployment runs it (docs/deploy.md), minus gunicorn: keys of the right length,
PUBLIC_HOST, and requests over https, as they arrive from the TLS-terminating proxy.
The test client's requests are https and carry a same-origin Referer, as a browser's
do (the CSRF check on https requires one for a POST).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask

from wizard import create_app
from wizard.storage.crypto import new_key

# The host the Flask test client sends.
HOST = "localhost"
# Production refuses to start without an operator's details: a fictional one (reserved example address).
OPERATOR = {
    "OPERATOR_NAME": "Example Recovery Line",
    "OPERATOR_COUNTRY": "PT",
    "OPERATOR_LANGUAGES": "pt,en",
    "OPERATOR_CALLER_ID": "withheld",
    "OPERATOR_RESPONSE_TIME": "2 working days",
    "OPERATOR_CANCEL_CONTACT": "cancel@example.org",
}
HTTPS = {"wsgi.url_scheme": "https", "HTTP_REFERER": f"https://{HOST}/"}


def production_app(folder: Path) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(32),
            "DATA_KEYS": new_key(),
            "PUBLIC_HOST": HOST,
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            **OPERATOR,
        }
    )
    if app.config["DEVELOPMENT"]:
        raise RuntimeError("WIZARD_ENV is 'development': the benchmarks measure production; unset it")
    return app


def over_https(client):
    """`client` (a Flask test client), its requests now as a browser sends them through the proxy."""
    client.environ_base.update(HTTPS)
    return client
