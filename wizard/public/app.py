"""The Flask application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from wizard.domain.journey import Journey
from wizard.domain.matching import Matcher
from wizard.domain.rulebook.loader import load_rulebook
from wizard.platform import logging_setup
from wizard.platform.partners import DEFAULT_FILE as DEFAULT_PARTNERS
from wizard.platform.partners import EXAMPLE_FILE as EXAMPLE_PARTNERS
from wizard.platform.settings import PROJECT_ROOT, build_config
from wizard.public.embed import WizardFlask


def init_storage(app: Flask) -> None:
    """Load the data keys and set up the database, without connecting to it.

    Refuses to start on unusable DATA_KEYS (a message that names no key). A database that
    is down or not yet migrated never stops the start: the public pages need no database,
    the call-back form answers 503 until it is back, and /readyz says what is wrong.

    Production never migrates here: `python -m wizard db upgrade` does, once per deployment
    (before gunicorn starts), not once per worker, so a worker started during an outage
    still serves the crisis line. Development (`make run`) and the tests migrate here, so a
    fresh clone and every throwaway test database need no extra step.
    """
    from wizard.storage import Database, Sealer
    from wizard.storage.callbacks import CallbackStore
    from wizard.storage.crypto import parse_keys

    try:
        sealer = Sealer(parse_keys(app.config["DATA_KEYS"]))
    except ValueError as exc:
        raise RuntimeError(f"DATA_KEYS: {exc}") from None
    database = Database(app.config["DATABASE_URL"])
    app.extensions["database"] = database
    app.extensions["sealer"] = sealer
    app.extensions["callbacks"] = CallbackStore(database, sealer)
    if app.config["DEVELOPMENT"] or app.testing:
        migrate_for_development(app, database)


def migrate_for_development(app: Flask, database) -> None:
    from wizard.storage.db import describe
    from wizard.storage.failures import classify

    try:
        database.migrate()
    except Exception as exc:
        # The kind and the URL without its password; the pages still start.
        app.logger.warning(
            "Could not prepare the database at %s (%s); the call-back form is off until it is: %s",
            describe(database.url),
            type(exc).__name__,
            classify(exc).kind,
        )


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

    # Refuse to start on invalid rules: RulebookError lists every problem.
    rulebook = load_rulebook(app.config["RULES_DIR"])
    matcher = Matcher(rulebook)
    app.extensions["rulebook"] = rulebook
    app.extensions["matcher"] = matcher
    app.extensions["journey"] = Journey(rulebook, matcher)

    init_storage(app)

    from wizard import staff
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
    from wizard.platform.partners import load_partners
    from wizard.public import embed
    from wizard.public.views import embed as embed_views
    from wizard.public.views import pages, questions, results, share
    from wizard.public.views import reach_out as contact

    # Refuse to start on an invalid partners file, as on invalid rules.
    development = bool(app.config["DEVELOPMENT"])
    default_partners = EXAMPLE_PARTNERS if development else DEFAULT_PARTNERS
    partners_file = app.config.get("PARTNERS_FILE") or os.environ.get("PARTNERS_FILE") or default_partners
    app.extensions["partners"] = load_partners(partners_file, frozenset(matcher.countries), local_http=development)

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
