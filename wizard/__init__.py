"""Treatment-options wizard: find recovery approaches that fit, then reach out.

The rules engine (``wizard.domain.rulebook``) and the command line work without
Flask; ``create_site`` imports the web layer only when it is called. This module is the
one place that joins the three web apps (public, staff console, API) into one site: they
never import each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from wizard.platform.site import Site


def create_site(overrides: dict | None = None) -> Site:
    """The public app at /, the staff console at /staff and the API at /api/v1, sharing one set
    of services, as one WSGI callable (``site.public``, ``site.staff`` and ``site.api`` are the apps)."""
    from wizard import staff
    from wizard.api.app import create_api_app
    from wizard.platform.services import build_services
    from wizard.platform.settings import PROJECT_ROOT, build_config
    from wizard.platform.site import compose
    from wizard.public.app import create_public_app
    from wizard.staff.app import create_staff_app

    config = build_config(PROJECT_ROOT / "instance", overrides)
    shared = build_services(config, staff.policy(config))
    public = create_public_app(config, shared)
    return compose(public, create_staff_app(config, shared), create_api_app(config, shared), config)


def create_app(overrides: dict | None = None) -> Flask:
    """The site's public app, whose test_client() and run() serve the whole site (its WSGI entry
    is the site's); ``app.site`` reaches the other apps."""
    return create_site(overrides).public
