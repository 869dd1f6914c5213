"""Reading the query string on every page."""

from __future__ import annotations

from flask import request


def query_arg(name: str) -> str | None:
    """The first value of a query argument, or None: what ``request.args.get(name)`` gives, without the
    exception Werkzeug raises and catches inside get() for a name that is not there (most pages)."""
    args = request.args
    return args[name] if name in args else None  # noqa: SIM401 (get() is what this avoids)
