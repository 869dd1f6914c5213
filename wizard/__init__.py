"""Treatment-options wizard: find recovery approaches that fit, then reach out.

The rules engine (``wizard.domain.rulebook``) and the command line work without
Flask; ``create_app`` imports the web layer only when it is called.
"""

from __future__ import annotations


def create_app(overrides: dict | None = None):
    from wizard.public.app import create_app as _create_app

    return _create_app(overrides)
