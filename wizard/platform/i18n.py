"""Languages: choosing one, translating interface and rules text, country names.

The interface and the rules content share one set of gettext catalogues in
``translations/``. Rules text is stored in English and translated where it
is shown, so answers (stored as codes) survive a change of language.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlencode

import flask_babel
from babel import Locale
from babel.lists import format_list as babel_format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from flask import Flask, g, request, session
from flask.globals import _cv_app
from flask_babel import Babel, format_date, get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from wizard.domain import places
from wizard.domain.messages import N_, Message
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY
from wizard.platform.query import query_arg
from wizard.platform.services import services
from wizard.platform.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"

# Each language by its BCP 47 tag (as in `lang` attributes and addresses), in its own name, and its
# writing direction. Portuguese comes in two: the Brazilian and the European (Portugal's) standard.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "ltr"),
    "es": ("Español", "ltr"),
    "pt-BR": ("Português (Brasil)", "ltr"),
    "pt-PT": ("Português (Portugal)", "ltr"),
    "fr": ("Français", "ltr"),
    "ar": ("العربية", "rtl"),
    "sw": ("Kiswahili", "ltr"),
    "th": ("ไทย", "ltr"),
}
LANGUAGE_KEY = "lang"

# Tags still understood though no longer offered: "pt" named the Brazilian catalogue before the two
# Portuguese were told apart, and links, partners' settings and API callers may still use it.
EARLIER_TAGS = frozenset({"pt"})

# A catalogue that holds only what differs falls back to a fuller one: pt-PT keeps the Brazilian
# wording wherever it reads as well in Portugal. Keys and values are Babel's locale ids.
CATALOGUE_FALLBACKS = {"pt_PT": "pt_BR"}

# Countries whose Portuguese follows the European standard (Portugal's, and the African countries' and
# Timor-Leste's, which follow it): a plain "pt" from the browser reads as pt-PT for a person there.
EUROPEAN_PORTUGUESE_COUNTRIES = frozenset({"PT", "AO", "MZ", "CV", "GW", "ST", "TL"})


def resolve_language(tag: object, country: Callable[[], str | None] | None = None) -> str | None:
    """One of LANGUAGES for a language tag from an address, a cookie, a partner or a browser, or None.

    Tags are matched whatever their case or separator ("pt_pt", "PT-PT"), and by their first part
    ("fr-CA" is fr). Portuguese without a known variant ("pt", as links and cookies made before the
    two were told apart still say, or "pt-AO") is European where the region says so, else where the
    person's country (asked only then) is Portugal or follows its standard, and Brazilian otherwise.
    """
    if not isinstance(tag, str) or not tag or len(tag) > 35:
        return None
    parts = tag.replace("_", "-").split("-")
    primary, region = parts[0].lower(), (parts[1].upper() if len(parts) > 1 else "")
    exact = f"{primary}-{region}" if region else primary
    if exact in LANGUAGES:
        return exact
    if primary == "pt":
        if region:
            return "pt-BR" if region == "BR" else "pt-PT"
        chosen = country() if country is not None else None
        return "pt-PT" if chosen in EUROPEAN_PORTUGUESE_COUNTRIES else "pt-BR"
    return primary if primary in LANGUAGES else None


def spoken_languages() -> dict[str, str]:
    """Each language once, without its variants, by its own name ("pt": "Português"): what a person
    can be called back in (the two Portuguese are one language on the phone)."""
    spoken: dict[str, str] = {}
    for code, (name, _direction) in LANGUAGES.items():
        spoken.setdefault(spoken_language(code), name.split(" (")[0])
    return spoken


def babel_id(code: str) -> str:
    """Babel's and gettext's id for a language tag ("pt-BR" -> "pt_BR")."""
    return code.replace("-", "_")


def spoken_language(code: str) -> str:
    """The language a tag names, without its variant ("pt-PT" -> "pt"): what helplines and staff list."""
    return code.split("-")[0]


def select_locale(country: Callable[[], str | None] | None = None) -> str:
    """The person's explicit choice, then a partner's setting, then the browser's, then English.

    `country` gives the person's answer to the country question, asked only to tell the two
    Portuguese apart when nothing else does. Returns Babel's locale id.
    """
    asked = query_arg(LANGUAGE_KEY)
    chosen = resolve_language(asked, country)
    if chosen is not None:
        # Remembered for the journey as one of ours, never as typed; a plain "pt" stays "pt", open to
        # the country answered later.
        remembered = "pt" if asked.lower() in EARLIER_TAGS else chosen
        if session.get(LANGUAGE_KEY) != remembered:
            session[LANGUAGE_KEY] = remembered
        return babel_id(chosen)
    for tag in (session.get(LANGUAGE_KEY), getattr(g, "partner_language", None)):
        chosen = resolve_language(tag, country)
        if chosen is not None:
            return babel_id(chosen)
    return babel_id(browser_language(country))


def browser_language(country: Callable[[], str | None] | None = None) -> str:
    """The first language the browser asks for (by its weights) that we have, or English."""
    for tag, _quality in request.accept_languages:
        chosen = resolve_language(tag, country)
        if chosen is not None:
            return chosen
    return "en"


def select_locale_without_cookie() -> str:
    """The API's: the parameter, then the browser's, then English (it reads and sets no cookies)."""
    chosen = resolve_language(request.args.get(LANGUAGE_KEY))
    return babel_id(chosen or browser_language())


def english_only() -> str:
    """The staff console's: English, including the public partials it shows (results in the
    conversation guide), whatever the browser asks for."""
    return "en"


def language() -> str:
    """This request's language tag ("pt-PT"), remembered like its catalogue (templates ask dozens of times)."""
    remembered = _request_globals()
    if remembered is None:
        return _tag(get_locale())
    cached = remembered.get("_language")
    if cached is None:
        cached = remembered["_language"] = _tag(get_locale())
    return cached


def _tag(locale: Locale | None) -> str:
    return str(locale or "en").replace("_", "-")


@lru_cache(maxsize=16)
def catalogue_for(locale_id: str) -> NullTranslations:
    """A language's catalogue, falling back to the fuller one it only overrides (CATALOGUE_FALLBACKS)."""
    catalogue = Translations.load(str(TRANSLATIONS), [locale_id])
    fallback = CATALOGUE_FALLBACKS.get(locale_id)
    if fallback is not None:
        catalogue.add_fallback(catalogue_for(fallback))
    return catalogue


class _DomainWithFallbacks(flask_babel.Domain):
    """flask_babel's message domain, with each catalogue's fallback (flask_babel loads one catalogue
    for a locale and never the one it falls back to)."""

    def get_translations(self) -> NullTranslations:
        locale = get_locale()
        return NullTranslations() if locale is None else catalogue_for(str(locale))


def translations() -> NullTranslations:
    """This request's catalogue, looked up once per request.

    A results page translates a few hundred strings, and flask_babel looks the
    catalogue up again for each one (several context lookups every time): that
    was the largest single cost of rendering it. The locale is chosen once per
    request, so the catalogue cannot change within one, except inside
    ``force_locale`` below, which drops the remembered one (and the language).
    """
    remembered = _request_globals()
    if remembered is None:
        return get_translations()
    cached = remembered.get("_translations")
    if cached is None:
        cached = remembered["_translations"] = get_translations()
    return cached


def _request_globals() -> dict | None:
    """The attributes of `g` as a plain dict, or None outside an app context.

    Read through the context variable behind `g`: a few hundred lookups per page
    through the `g` proxy cost about 1 µs each, this about a tenth of that.
    """
    context = _cv_app.get(None)
    return None if context is None else context.g.__dict__


@contextmanager
def force_locale(lang: str) -> Iterator[None]:
    """flask_babel's ``force_locale``, for code that uses ``t`` or templates inside it."""
    saved = {key: g.pop(key, None) for key in ("_translations", "_language")}
    try:
        with flask_babel.force_locale(babel_id(lang)):
            yield
    finally:
        for key, value in saved.items():
            g.pop(key, None)
            if value is not None:
                setattr(g, key, value)


def question_summaries(journey) -> dict[str, str]:
    """Each question's short title in this request's language, by question id (the summaries of
    answers on check answers and results): made once per language, as the questions never change."""
    return _question_summaries(journey, language())


@lru_cache(maxsize=64)
def _question_summaries(journey, lang: str) -> dict[str, str]:
    # `lang` is this request's: translate_rule_text translates into it.
    return {q.id: translate_rule_text(q.summary) for q in journey.questions}


def translate_rule_text(text: object) -> str:
    """Translate a piece of rules or engine text (an English message id) for this request."""
    if not text:
        return ""
    catalogue = translations()
    if isinstance(text, Message):
        translated = catalogue.ugettext(str.__str__(text))
        params = {key: _param(catalogue, key, value) for key, value in text.params.items()}
        return translated % params if params else translated
    return catalogue.ugettext(str(text))


# Parameters shown exactly as given: what the person typed, and numbers and examples of numbers.
LITERAL_PARAMS = frozenset({"text", "digits", "example", "code"})


def _param(catalogue: NullTranslations, key: str, value: str) -> str:
    """A message's parameter in the reader's language: "country" holds a country code (shown by its
    local name), "text" what the person typed and LITERAL_PARAMS are shown as given; others are message ids."""
    if key in LITERAL_PARAMS:
        return value
    if key == "country":
        return country_name(value)
    return catalogue.ugettext(value)


@lru_cache(maxsize=16)
def _territories(lang: str) -> dict[str, str]:
    return dict(Locale.parse(babel_id(lang)).territories)


def country_name(code: str | None) -> str:
    """A country's name in the person's language (Babel's territory names)."""
    if not code:
        return ""
    name = _territories(language()).get(code)
    if name:
        return name
    country = services().matcher.countries.get(code)
    return country.name if country else code


@lru_cache(maxsize=64)
def _language_names(lang: str) -> dict[str, str]:
    return Locale.parse(babel_id(lang)).languages


def format_list(items) -> str:
    """A list joined the way the reader's language joins one ("a, b and c"; Arabic commas in Arabic)."""
    return babel_format_list(list(items), locale=babel_id(language()))


def language_name(code: str) -> str:
    """A language's name in the reader's language ("fr" -> "French", "francés"; "pt-PT" -> "European
    Portuguese")."""
    return _language_names(language()).get(babel_id(code), code)


def _sort_key(name: str) -> str:
    # Accents sort with their base letter (É with E), as readers of these languages expect.
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=16)
def _country_choices(lang: str, codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    names = _territories(lang)
    english = services().matcher.countries
    pairs = [(code, names.get(code) or english[code].name) for code in codes]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))


def country_choices() -> tuple[tuple[str, str], ...]:
    codes = tuple(sorted(services().matcher.countries))
    return _country_choices(language(), codes)


def compile_catalogues(folder: Path = TRANSLATIONS) -> None:
    """Build each .mo from its .po when it is missing or older, so a fresh checkout just works."""
    for po_path in folder.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source)
        # A plural left blank (in a catalogue that only overrides another) is left out, as a blank
        # singular is, so that its fallback answers: Babel would write it with empty forms.
        for message in list(catalog):
            if message.id and not isinstance(message.id, str) and not all(message.string):
                del catalog[message.id]
        # Written aside and renamed: workers starting together never read a half-written file.
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.partial")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo_path)


def choices_for(journey, question, audience: str | None, answers=None) -> list:
    """A question's options in the person's language; countries and regions by their local names,
    sorted (a region question's are the regions of the country in `answers`). With no audience (a
    form that does not know yet who the help is for), every option, in the "myself" wording."""

    if question.kind == "subdivision":
        country = (answers or {}).get("country")
        country = country if isinstance(country, str) else None
        return PlaceChoices(_place_choices(services().matcher, language(), "subdivision", country), country)
    if question.kind == "town":
        return []
    if question.kind == "country":
        return PlaceChoices(_place_choices(services().matcher, language(), "country", None), None)
    return list(_option_choices(journey, question.id, audience, language()))


@lru_cache(maxsize=512)
def _option_choices(journey, question_id: str, audience: str | None, lang: str) -> tuple:
    """A question's own options in a language: they depend only on the rules, the reader and the
    language, so each set is translated once per process. `lang` is the request's, which chooses
    the catalogue."""
    from wizard.domain.journey import Choice

    return tuple(
        Choice(c.code, translate_rule_text(c.label), translate_rule_text(c.hint), c.exclusive, c.audience)
        for c in journey.choices(journey.by_id[question_id], audience)
    )


class PlaceChoices(list):
    """The countries, or a country's regions (`country`): the same for everyone in a language, so a page
    can keep their options rendered, under `kept_as`."""

    __slots__ = ("kept_as",)

    def __init__(self, choices, country: str | None):
        super().__init__(choices)
        self.kept_as = country


@lru_cache(maxsize=512)
def _place_choices(matcher, lang: str, kind: str, country: str | None) -> tuple:
    """The countries, or a country's regions, as choices in a language, made once per language (and
    country) rather than some 250 of them on every country page: about 0.4 ms of its 2.2. Nothing here comes
    from a visitor but which country's regions, and an unknown country has none. `lang` is the request's,
    which chooses the catalogue; `matcher` is the rules' (its countries are the ones offered)."""
    from wizard.domain.journey import Choice

    if kind == "country":
        local = [Choice(code, name) for code, name in _country_choices(lang, tuple(sorted(matcher.countries)))]
    else:
        local = [Choice(code, name) for code, name in places.subdivisions(country, babel_id(lang))]
        if not local:
            return ()
    return (*local, Choice(PREFER_NOT_TO_SAY, translate_rule_text("Prefer not to say")))


def answer_labels(journey, question, value, audience: str) -> list[str]:
    if question.kind == "country" and isinstance(value, str) and value != PREFER_NOT_TO_SAY:
        return [country_name(value)]
    if question.kind == "subdivision" and isinstance(value, str) and value not in ("", PREFER_NOT_TO_SAY):
        return [places.subdivision_name(value, babel_id(language())) or translate_rule_text("Not answered")]
    if question.kind == "town" and isinstance(value, str) and value not in ("", PREFER_NOT_TO_SAY):
        town = places.town_by_id(value)
        return [town_label(town)] if town else [translate_rule_text("Not answered")]
    if question.kind in ("country", "subdivision", "town"):
        return [translate_rule_text(label) for label in journey.answer_labels(question, value, audience)]
    labels = _choice_labels(journey, question.id, audience, language())
    if isinstance(value, list):
        return [labels[v] for v in value if v in labels] or [translate_rule_text("Not answered")]
    if value in labels:
        return [labels[value]]
    return [translate_rule_text("Not answered")]


@lru_cache(maxsize=1024)
def _choice_labels(journey, question_id: str, audience: str, lang: str) -> dict[str, str]:
    """A question's options, code -> label in `lang`, as journey.answer_labels words them: made once per
    question, reader and language rather than for every answer on every results page."""
    question = journey.by_id[question_id]
    return {c.code: translate_rule_text(c.label) for c in journey.choices(question, audience)}


def town_label(town: places.Town, *, distinguish: bool = False) -> str:
    """A town's name, with its region where that is known. With `distinguish` (a list of towns of
    the same name to choose from) a town whose region is not known says how big it is, or where."""
    region = places.subdivision_name(town.subdivision, babel_id(language())) if town.subdivision else None
    if region:
        return translations().ugettext(N_("%(town)s, %(region)s")) % {"town": town.name, "region": region}
    if not distinguish:
        return town.name
    population = places.population_of(town)
    if population:
        return translations().ugettext(N_("%(town)s (about %(population)s people)")) % {
            "town": town.name,
            "population": format_decimal(_round_people(population), locale=babel_id(language())),
        }
    return translations().ugettext(N_("%(town)s (latitude %(latitude)s, longitude %(longitude)s)")) % {
        "town": town.name,
        "latitude": format_decimal(round(town.latitude, 2), locale=babel_id(language())),
        "longitude": format_decimal(round(town.longitude, 2), locale=babel_id(language())),
    }


def _round_people(population: int) -> int:
    """Two significant figures: enough to tell two towns apart, without false precision."""
    digits = len(str(population))
    return round(population, -(digits - 2)) if digits > 2 else population


def reason_text(reason) -> str:
    """A matching reason in the person's language, with any names it lists."""
    text = translate_rule_text(reason.text)
    if reason.items:
        text += " " + ", ".join(translate_rule_text(item) for item in reason.items) + "."
    return text


# The query arguments a language link keeps, with the values they may have.
KEPT_QUERY_ARGUMENTS = {"change": ("1",)}


def language_list() -> Markup:
    """The header's links to this same page in each language (they work without JavaScript), as list items.

    Made once per address rather than by a loop in the layout on every page; at most 256 are kept, as the
    address can be anything a visitor typed."""
    # Only the query arguments the pages themselves use: nothing a visitor typed is
    # reflected into a compressed page beside its CSRF token (I1).
    kept = tuple((key, value) for key, value in request.args.items() if value in KEPT_QUERY_ARGUMENTS.get(key, ()))
    # The path quoted again: a control character in a mistyped address must not reach the page. With the
    # prefix a proxy mounts the app under, so that the link stays inside it.
    return _language_items(quote(request.script_root + request.path), kept, language())


@lru_cache(maxsize=256)
def _language_items(path: str, kept: tuple[tuple[str, str], ...], current: str) -> Markup:
    item = Markup('<li><a href="{}" lang="{}" hreflang="{}"{}>{}</a></li>')
    links = (
        item.format(f"{path}?{query}", code, code, Markup(' aria-current="true"') if code == current else "", name)
        for code, name, query in _language_queries(kept)
    )
    # Each on its own line, indented as the layout's list is.
    return Markup("\n          ").join(links)


@lru_cache(maxsize=16)
def _language_queries(kept: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each language's code, name and query, made once: `kept` is one of the few KEPT_QUERY_ARGUMENTS allows."""
    return tuple((code, name, urlencode({**dict(kept), LANGUAGE_KEY: code})) for code, (name, _) in LANGUAGES.items())


def _context() -> dict:
    lang = language()
    return {"lang": lang, "text_direction": LANGUAGES.get(lang, LANGUAGES["en"])[1]}


@pass_eval_context
def _template_gettext(eval_context, string: str, **variables) -> str:
    """The templates' ``_()``: what Jinja's newstyle gettext does (escape the variables, always format),
    in one call. Jinja's own ``_`` looks ``gettext`` up in the context and calls through two wrappers;
    a results page says ``_()`` some sixty times."""
    translated = translations().ugettext(string)
    if eval_context.autoescape:
        # The catalogues are the project's own text, trusted as Jinja trusts them; the variables are escaped.
        translated = Markup(translated)  # noqa: S704
    return translated % variables


def init_app(app: Flask, locale_selector: Callable[[], str] = select_locale) -> None:
    compile_catalogues()
    babel = Babel(app, locale_selector=locale_selector, default_translation_directories=str(TRANSLATIONS))
    babel.domain_instance = _DomainWithFallbacks()
    # The templates' _() and friends, through the per-request catalogue as well.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = _template_gettext
    app.context_processor(_context)
    app.jinja_env.filters["t"] = translate_rule_text
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["language_name"] = language_name
    # For imported macros, which do not see the page's context.
    app.jinja_env.globals["page_language"] = language
    app.jinja_env.globals["language_list"] = language_list
    app.jinja_env.globals["language_codes"] = tuple(LANGUAGES)
    app.jinja_env.globals["page_spoken_language"] = lambda: spoken_language(language())
    app.jinja_env.filters["format_list"] = format_list
    app.jinja_env.filters["reason"] = reason_text
    app.jinja_env.filters["date"] = lambda value: format_date(value, format="long")
