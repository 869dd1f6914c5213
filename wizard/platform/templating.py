"""What every template of every app can see: operator details and helpers (the public app adds the
visitor's crisis contacts)."""

from __future__ import annotations

from collections import ChainMap
from functools import lru_cache
from types import MappingProxyType

from flask import Flask, current_app
from flask.templating import Environment as FlaskEnvironment
from markupsafe import Markup, escape

from wizard.domain.directory.taxonomy import ATTRIBUTES
from wizard.domain.rulebook.models import words_for
from wizard.platform import titles
from wizard.platform.services import services
from wizard.platform.settings import WITHHELD, response_time


class TemplateGlobals(ChainMap):
    """A template's globals as Jinja keeps them (its own over the environment's), with keys() a plain set.

    At every ``{% from ... import ... %}`` Jinja subtracts these keys from the page's global names;
    against ChainMap's key view that is one lookup in Python per name (some 26), several times a page."""

    def keys(self):
        return set().union(*self.maps)


class Environment(FlaskEnvironment):
    """Flask's template environment, whose templates' globals are TemplateGlobals."""

    def make_globals(self, d):
        return TemplateGlobals({} if d is None else d, self.globals)


# The settings the operator's details are made from: every page's context has them.
OPERATOR_SETTINGS = ("OPERATOR_NAME", "OPERATOR_PHONE", "OPERATOR_EMAIL", "OPERATOR_WEBSITE", "OPERATOR_HOURS")
CALL_SETTINGS = (
    "OPERATOR_CANCEL_CONTACT",
    "OPERATOR_CALLER_ID",
    "OPERATOR_LANGUAGES",
    "OPERATOR_COUNTRY",
    "OPERATOR_RESPONSE_TIME",
    "OPERATOR_DEMO",
)


def _context() -> dict:
    config = current_app.config
    settings = (
        *(config[name] for name in OPERATOR_SETTINGS),
        *(config.get(name, "") for name in CALL_SETTINGS),
    )
    # No crisis line is known here; the public app fills these in from the visitor's answers.
    # operator_key: the settings, to key fragments that show the operator's details.
    return {"operator": _operator(settings), "operator_key": settings, "crisis_contacts": None, "crisis_country": None}


@lru_cache(maxsize=16)
def _operator(settings: tuple) -> MappingProxyType:
    """The operator's details, made once per set of settings rather than for every page (read-only: shared)."""
    config = dict(zip(OPERATOR_SETTINGS + CALL_SETTINGS, settings, strict=True))
    return MappingProxyType(
        {
            "name": config["OPERATOR_NAME"],
            "phone": config["OPERATOR_PHONE"],
            "email": config["OPERATOR_EMAIL"],
            "website": config["OPERATOR_WEBSITE"],
            "hours": config["OPERATOR_HOURS"],
            **_call_details(config),
        }
    )


def _call_details(config) -> dict:
    """Who will contact a person who asks, and how: shown above the call-back form and on the confirmation."""
    cancel = config.get("OPERATOR_CANCEL_CONTACT", "")
    caller_id = config.get("OPERATOR_CALLER_ID", "")
    languages = config.get("OPERATOR_LANGUAGES", "")
    details = {
        "country": config.get("OPERATOR_COUNTRY", ""),
        "languages": [code.strip() for code in languages.split(",") if code.strip()],
        "withheld": caller_id.lower() == WITHHELD,
        "caller_number": "" if caller_id.lower() == WITHHELD else caller_id,
        "response": response_time(config.get("OPERATOR_RESPONSE_TIME", "")),
        "cancel_email": cancel if "@" in cancel else "",
        "cancel_phone": cancel if cancel and "@" not in cancel else "",
        "demo": bool(config.get("OPERATOR_DEMO")),
    }
    details["described"] = bool(
        details["country"] or details["languages"] or caller_id or details["response"] or cancel
    )
    return details


# The control for each kind of question: one answer (radio buttons) or several (checkboxes) share one partial.
FIELD_PARTIALS = {
    "single": "partials/fields/choices.html",
    "multiple": "partials/fields/choices.html",
    # A list to choose from: the countries, or the chosen country's regions.
    "country": "partials/fields/select.html",
    "subdivision": "partials/fields/select.html",
    "town": "partials/fields/town.html",
}


def tel_href(number: str) -> str:
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


def attribute_names(codes) -> list[str]:
    """A service's taxonomy attributes in the person's language, in the taxonomy's order."""
    from wizard.platform.i18n import translate_rule_text

    return [translate_rule_text(name) for code, (_group, name) in ATTRIBUTES.items() if code in codes]


def mark_chosen(options: Markup, chosen) -> Markup:
    """Kept `<option>`s (partials/fields/select_options.html) with the `chosen` codes selected, as the
    options' loop marks them: the kept piece is the same for everyone, the selection is this page's."""
    html = str(options)
    for code in chosen:
        if not isinstance(code, str):
            continue
        value = escape(code)
        html = html.replace(f'<option value="{value}">', f'<option value="{value}" selected>', 1)
    return Markup(html)  # noqa: S704 (kept, autoescaped options with escaped codes)


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.filters["attribute_names"] = attribute_names
    app.jinja_env.filters["tel"] = tel_href
    app.jinja_env.filters["field_partial"] = FIELD_PARTIALS.__getitem__
    app.jinja_env.filters["audience_label"] = lambda code, labels: labels[code]
    app.jinja_env.globals["page_title"] = titles.page_title
    app.jinja_env.globals["safety_note"] = lambda note_id: services().rulebook.safety_note(note_id)
    app.jinja_env.filters["words"] = lambda words, audience="myself": words_for(words, audience)
    app.jinja_env.filters["mark_chosen"] = mark_chosen
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
