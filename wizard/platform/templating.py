"""What every template can see: operator details, safety contacts, helpers."""

from __future__ import annotations

from flask import Flask, current_app, g

from wizard.domain.rulebook.models import words_for
from wizard.platform.services import services
from wizard.public import answers as state


def _safety_context() -> dict:
    # A view that knows the country without a session (the one-page form) sets g.country.
    country = getattr(g, "country", None)
    if country is None:
        country = state.load_answers().get("country")
    if not isinstance(country, str):
        return {"crisis_contacts": None, "crisis_country": None}
    matcher = services().matcher
    return {"crisis_contacts": matcher.contacts.get(country), "crisis_country": matcher.countries.get(country)}


def _context() -> dict:
    config = current_app.config
    operator = {
        "name": config["OPERATOR_NAME"],
        "phone": config["OPERATOR_PHONE"],
        "email": config["OPERATOR_EMAIL"],
        "website": config["OPERATOR_WEBSITE"],
        "hours": config["OPERATOR_HOURS"],
    }
    return {"operator": operator, **_safety_context()}


def tel_href(number: str) -> str:
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.filters["tel"] = tel_href
    app.jinja_env.filters["audience_label"] = lambda code, labels: labels[code]
    app.jinja_env.globals["safety_note"] = lambda note_id: services().rulebook.safety_note(note_id)
    app.jinja_env.filters["words"] = lambda words, audience="myself": words_for(words, audience)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
