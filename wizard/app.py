"""The Flask application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import PROJECT_ROOT, build_config
from .journey import Journey
from .rulebook.engine import Matcher
from .rulebook.loader import load_rulebook


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(build_config(Path(app.instance_path), overrides))

    # Refuse to start on invalid rules: RulebookError lists every problem.
    rulebook = load_rulebook(app.config["RULES_DIR"])
    matcher = Matcher(rulebook)
    app.extensions["rulebook"] = rulebook
    app.extensions["matcher"] = matcher
    app.extensions["journey"] = Journey(rulebook, matcher)

    from . import compression, i18n, security, templating
    from .views import contact, pages, questions, results

    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    compression.init_app(app)
    for blueprint in (pages.bp, questions.bp, results.bp, contact.bp):
        app.register_blueprint(blueprint)
    pages.register_error_pages(app)
    return app
