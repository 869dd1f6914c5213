"""The Flask application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from wizard import staff
from wizard.platform import logging_setup
from wizard.platform.services import build_services, install
from wizard.platform.settings import PROJECT_ROOT, build_config
from wizard.public.embed import WizardFlask


def create_app(overrides: dict | None = None) -> Flask:
    app = WizardFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(build_config(Path(app.instance_path), overrides))
    # Request lines and JSON logs first: the rest of start-up may already log.
    logging_setup.init_app(app)
    quiet_tracebacks(app)
    if app.config["DEVELOPMENT"] and not app.testing:
        app.logger.warning("Development mode (WIZARD_ENV=development): not for serving people.")

    install(app, build_services(app.config, staff.policy(app.config)))

    from wizard.api import views as api
    from wizard.platform import (
        assets,
        compression,
        fragments,
        health,
        hosts,
        i18n,
        proxies,
        templating,
    )
    from wizard.platform import (
        rate_limits as limits,
    )
    from wizard.platform import (
        security_headers as security,
    )
    from wizard.public import embed
    from wizard.public.views import embed as embed_views
    from wizard.public.views import pages, questions, results, share
    from wizard.public.views import reach_out as contact

    i18n.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    fragments.init_app(app)
    compression.init_app(app)
    limits.init_app(app)
    for blueprint in (pages.bp, questions.bp, results.bp, share.bp, contact.bp, api.bp, embed_views.bp, health.bp):
        app.register_blueprint(blueprint)
    # The same journey again under /embed/<partner>/, for partner sites.
    embed.init_app(app, [pages.bp, questions.bp, results.bp, share.bp, contact.bp])
    # The staff console: at /staff only, never under /embed.
    staff.init_app(app)
    pages.register_error_pages(app)
    hosts.init_app(app)
    # Outermost: the proxy's X-Forwarded-Host is applied before the host is checked.
    proxies.init_app(app)
    return app


def quiet_tracebacks(app: Flask) -> None:
    """Outside development, an exception Flask logs itself (one raised inside an error handler,
    say) is logged by its type only: a traceback's locals and messages can quote what a person
    typed, and answers never go into logs (L2)."""
    if app.config.get("DEVELOPMENT") or app.testing:
        return

    def log_exception(exc_info) -> None:
        from flask import request

        kind = exc_info[0].__name__ if exc_info and exc_info[0] else "unknown"
        app.logger.error("unhandled %s on %s", kind, request.url_rule.rule if request.url_rule else "no route")

    app.log_exception = log_exception
