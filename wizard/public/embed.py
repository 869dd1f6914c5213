"""Embedding: the same journey under /embed/<partner>/, framed only by that partner.

The journey's blueprints are registered a second time under the embed prefix.
While a request is inside the embed, every link the views and templates make
stays inside it (the app's url_for maps "questions.question" to
"embed_questions.question" and fills in the partner), so no view needs to know.
"""

from __future__ import annotations

from flask import Flask, abort, g, has_request_context

from wizard.platform.services import services

EMBEDDABLE = ("pages", "questions", "results", "share", "contact", "listings")
PREFIX = "/embed/<partner>"


class EmbedAwareFlask(Flask):
    def url_for(self, endpoint: str, **values):
        partner = g.get("partner") if has_request_context() else None
        if partner is not None and endpoint.split(".", 1)[0] in EMBEDDABLE:
            endpoint = "embed_" + endpoint
            values.setdefault("partner", partner.id)
        return super().url_for(endpoint, **values)


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
