"""Embedding: the same journey under /embed/<partner>/, framed only by that partner.

The journey's blueprints are registered a second time under the embed prefix.
While a request is inside the embed, every link the views and templates make
stays inside it (the app's url_for maps "questions.question" to
"embed_questions.question" and fills in the partner), so no view needs to know.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, abort, g, has_request_context
from flask.globals import _cv_request

from wizard.platform.services import services

EMBEDDABLE = ("pages", "questions", "results", "share", "contact", "listings")
PREFIX = "/embed/<partner>"


# The journey's links that pages and answers make on every request (and those of the results and
# reach-out pages), with the only values each may take: question ids (rulebook codes) and "change".
# Each is built once per site prefix, partner and values (Werkzeug's build is some 15 microseconds
# a link) and kept: none holds anything a visitor typed or anything of theirs. Any other endpoint
# or value is built each time.
KEPT_LINKS = {
    "questions.question": frozenset({"question_id", "change"}),
    **dict.fromkeys(
        (
            "questions.check_answers",
            "questions.begin",
            "pages.start",
            "pages.help_now",
            # The pages the results and reach-out pages link to, which take no values.
            "results.results",
            "results.one_page",
            "results.start_again",
            "share.share",
            "share.plan",
            "contact.reach_out",
            "contact.requested",
        ),
        frozenset(),
    ),
}
LINKS_KEPT = 2048


class EmbedAwareFlask(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_link = lru_cache(maxsize=LINKS_KEPT)(self._link)

    def url_for(self, endpoint: str, **values):
        partner = g.get("partner") if has_request_context() else None
        allowed = KEPT_LINKS.get(endpoint)
        if partner is not None and endpoint.split(".", 1)[0] in EMBEDDABLE:
            endpoint = "embed_" + endpoint
            values.setdefault("partner", partner.id)
        context = _cv_request.get(None)
        if (
            allowed is not None
            and not self.url_default_functions
            and context is not None
            and context.url_adapter is not None
            and all(_keepable(name, value, allowed) for name, value in values.items())
        ):
            # A link within this site (not external) depends only on its endpoint, its values and where
            # the site is mounted, as long as the app has no URL defaults and no route matches on host
            # or subdomain (none does).
            kept = tuple(sorted((name, value) for name, value in values.items() if name not in BUILD_OPTIONS))
            return self._kept_link(context.url_adapter.script_name, endpoint, kept)
        return super().url_for(endpoint, **values)

    def _link(self, _script_name: str, endpoint: str, values: tuple) -> str:
        return super().url_for(endpoint, **dict(values))


# What flask.url_for passes on to the app's url_for, None unless asked for.
BUILD_OPTIONS = frozenset({"_anchor", "_method", "_scheme", "_external"})


def _keepable(name: str, value: object, allowed: frozenset) -> bool:
    if name in BUILD_OPTIONS:
        return value is None
    return (name in allowed or name == "partner") and (value is None or isinstance(value, str))


def _pull_partner(endpoint: str | None, values: dict | None) -> None:
    # Both the journey under /embed/<partner>/ ("embed_...") and the partner's theme ("embed.theme").
    if not endpoint or not endpoint.startswith("embed") or values is None or "partner" not in values:
        return
    partner = services().partners.get(values.pop("partner"))
    if partner is None:
        abort(404)
    g.partner = partner
    g.partner_language = partner.default_language


def init_app(app: Flask, blueprints: list) -> None:
    app.url_value_preprocessor(_pull_partner)
    for blueprint in blueprints:
        app.register_blueprint(
            blueprint, url_prefix=PREFIX + (blueprint.url_prefix or ""), name="embed_" + blueprint.name
        )
