"""The public app: the journey, its pages and the health probes, and the same journey embedded
in partners' frames under /embed/<partner>/.

Its cookie holds the answers, sealed (`wizard`, or the partitioned `wizard_embed` in a frame);
its pages are in the visitor's language; its error pages speak to someone looking for help.
"""

from __future__ import annotations

from flask import Flask, g

from wizard.platform import health, hosts, i18n, quick_exit
from wizard.platform.services import Services, services
from wizard.platform.sessions import PublicSessionInterface
from wizard.platform.site import new_app
from wizard.public import answers as state
from wizard.public import embed
from wizard.public.embed import EmbedAwareFlask
from wizard.public.views import embed as embed_views
from wizard.public.views import listings, pages, questions, results, share
from wizard.public.views import reach_out as contact

# Answered on the staff host too: the console's pages use the static files, and probes use any host.
ON_ANY_HOST = frozenset({"static", "health.healthz", "health.readyz"})


def create_public_app(config: dict, shared: Services) -> Flask:
    app = new_app(__name__, config, shared, flask_class=EmbedAwareFlask, locale_selector=select_locale)
    app.context_processor(safety_context)
    app.session_interface = PublicSessionInterface()
    # "Leave this site" in a frame carries the session's exit id: see quick_exit.py.
    quick_exit.init_app(app)
    for blueprint in (pages.bp, questions.bp, results.bp, share.bp, contact.bp, listings.bp, embed_views.bp, health.bp):
        app.register_blueprint(blueprint)
    # The same journey again under /embed/<partner>/, for partner sites.
    embed.init_app(app, [pages.bp, questions.bp, results.bp, share.bp, contact.bp, listings.bp])
    pages.register_error_pages(app)
    app.before_request(state.keep_alive)
    hosts.init_app(app, on_any_host=ON_ANY_HOST)
    return app


def select_locale() -> str:
    """The visitor's language; a plain "pt" reads as Portugal's Portuguese for a person there (as
    answered, or, until then, as the partner whose page they are on expects)."""
    return i18n.select_locale(country=lambda: answered_country() or getattr(g.get("partner"), "default_country", None))


def answered_country() -> str | None:
    # A view that knows the country without a session (the one-page form) sets g.country.
    country = getattr(g, "country", None)
    if country is None:
        country = state.load_walk().answers.get("country")
    return country if isinstance(country, str) else None


def safety_context() -> dict:
    """The crisis line of the visitor's country, for every page's "urgent help" box."""
    country = answered_country()
    if country is None:
        return {"crisis_contacts": None, "crisis_country": None}
    matcher = services().matcher
    return {"crisis_contacts": matcher.contacts.get(country), "crisis_country": matcher.countries.get(country)}
