"""`python -m wizard run` and `serve-check`: serve locally, or check the settings a production server needs."""

from __future__ import annotations

import sys

import click

from wizard import create_app
from wizard.platform.preflight import preflight


@click.command(help="serve the app for local use")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
def run(host: str, port: int) -> None:
    create_app().run(host=host, port=port, debug=False)


@click.command(
    name="serve-check",
    help="check the settings a production server needs (SECRET_KEY, DATA_KEYS, PUBLIC_HOST...); exit 1 if missing",
)
def serve_check() -> None:
    problems = preflight()
    if problems:
        print("Cannot start the wizard:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.exit(1)
    print("Settings OK for serving.")
