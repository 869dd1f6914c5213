"""The limiter skips its before-request search only while no limit could be found there: every
kind of limit Flask-Limiter applies before a view (defaults, application, blueprint, meta) still
refuses the request it should, and a view's own limit is checked with or without them."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from wizard.platform.rate_limits import RouteLimiter


def _app(**limiter_options) -> tuple[Flask, RouteLimiter, Blueprint]:
    app = Flask(__name__)
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter = RouteLimiter(key_func=lambda: "someone", **limiter_options)
    bp = Blueprint("pages", __name__)

    @bp.get("/page")
    def page():
        return "page"

    @bp.get("/limited")
    @limiter.limit("1 per minute")
    def limited():
        return "limited"

    return app, limiter, bp


def _statuses(app: Flask, path: str, times: int = 2) -> list[int]:
    client = app.test_client()
    return [client.get(path).status_code for _ in range(times)]


def test_a_views_own_limit_is_checked_when_nothing_else_is_limited():
    app, limiter, bp = _app()
    app.register_blueprint(bp)
    limiter.init_app(app)
    assert not limiter._limits_before_views()
    assert _statuses(app, "/limited") == [200, 429]
    assert _statuses(app, "/page", 3) == [200, 200, 200]


@pytest.mark.parametrize(
    "options",
    [{"default_limits": ["1 per minute"]}, {"application_limits": ["1 per minute"]}, {"meta_limits": ["1 per minute"]}],
    ids=["default", "application", "meta"],
)
def test_limits_applied_before_the_view_still_refuse(options):
    app, limiter, bp = _app(**options)
    app.register_blueprint(bp)
    limiter.init_app(app)
    assert limiter._limits_before_views()
    if "meta_limits" in options:
        # A meta limit counts breaches of other limits: breach the view's twice, then the page is refused too.
        client = app.test_client()
        assert [client.get("/limited").status_code for _ in range(3)] == [200, 429, 429]
        assert client.get("/page").status_code == 429
    else:
        assert _statuses(app, "/page") == [200, 429]


def test_a_blueprints_limit_still_refuses():
    app, limiter, bp = _app()
    limiter.limit("1 per minute")(bp)
    app.register_blueprint(bp)
    limiter.init_app(app)
    assert limiter._limits_before_views()
    assert _statuses(app, "/page") == [200, 429]


def test_default_limits_from_the_settings_still_refuse():
    app, limiter, bp = _app()
    app.config["RATELIMIT_DEFAULT"] = "1 per minute"
    app.register_blueprint(bp)
    limiter.init_app(app)
    assert _statuses(app, "/page") == [200, 429]


def test_a_renamed_private_attribute_means_the_search_runs(monkeypatch):
    # The skip reads Flask-Limiter's private lists: if a later version drops one, the limits are
    # searched for as before, never skipped.
    app, limiter, bp = _app()
    app.register_blueprint(bp)
    limiter.init_app(app)
    assert not limiter._limits_before_views()
    monkeypatch.delattr(limiter.limit_manager, "_blueprint_limits")
    assert limiter._limits_before_views()
