"""`python -m wizard db upgrade`: bring the database schema up to date."""

from __future__ import annotations

import os
import sys

import click

from wizard.platform.settings import PROJECT_ROOT


@click.group(help="the database")
def db() -> None:
    pass


@db.command(help="bring the schema up to date; run once per deployment, before the servers start")
def upgrade() -> None:
    """Bring the database schema up to date: once per deployment, before the servers start.

    Only the configuration is read (no app, no data keys): the servers start without touching
    the schema, so a worker that starts during a database outage still serves the public pages."""
    # Imported here: the database layer is heavy, and `rules` commands never need it.
    from wizard.storage import Database
    from wizard.storage.db import describe, head_revision
    from wizard.storage.failures import classify

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'instance' / 'wizard.sqlite3'}"
    database = Database(url)
    try:
        database.migrate()
    except Exception as exc:
        # The URL without its password, and the error's kind and code, never its text.
        failure = classify(exc)
        print(
            f"Cannot upgrade the database at {describe(url)}: {failure.kind} ({failure.code}).",
            file=sys.stderr,
        )
        sys.exit(1)
    finally:
        database.dispose()
    print(f"Database at {describe(url)} is at the newest schema ({head_revision()}).")
