"""Parts of pages rendered once and reused: Flask-Caching's `{% cache %}` tag, keyed by `fragment_key()`.

Most of a results page is the same for everyone who reads it in the same
language: what an approach is, its evidence, cautions and quotes; an
organisation's description; a country's helplines. Rendering and translating
those again for every request was a large part of the page's cost: kept
fragments save about 30% of the CPU time of a results page, 15% of reach out and
of a question page, 24% of the start page (medians of 300 requests each, with
and without). A fragment is written

    {% cache None, "name", fragment_key(key, ...) %} ... {% endcache %}

and kept, per process, under its name, the keys the template gives, the page's
language, the partner site (links inside an embed carry the partner) and the
path prefix the app is mounted under. `kept()` keeps a whole partial the same
way, under the parts it names. Only put things in a fragment that depend on
nothing but its key: never tokens or anything the visitor typed, and answers
only as the rules' own codes (a question with one choice ticked is the same for
everyone who ticked it). A match's reasons may be part of a key, as they are
the rules' own words, the same for everyone they apply to (never a directory
reason: those carry a distance or a place in their parameters, which their
equality ignores; a service listing is kept under its reasons' words instead).
A key of None renders the fragment afresh, for a page that must not keep it
this time.

The rules are loaded once per process, so a fragment never goes stale; the
store (SimpleCache) is bounded by CACHE_THRESHOLD anyway, oldest first out, in
case a key turns out to vary more than expected.
"""

from __future__ import annotations

from itertools import islice
from time import time

from cachelib.serializers import BaseSerializer
from flask import Flask, render_template
from flask.globals import _cv_app, _cv_request
from flask_caching import Cache
from flask_caching.backends.simplecache import SimpleCache
from flask_caching.jinja2ext import CacheExtension
from markupsafe import Markup

from wizard.platform import i18n


class KeptAsIs(BaseSerializer):
    """Fragments are immutable Markup kept in this process's memory, so they need no pickling: unpickling
    each of the 40 read for a results page, with JSON keys, was about 0.3 ms of its 4 ms."""

    def dumps(self, value, protocol=None):
        return value

    def loads(self, bvalue):
        return bvalue


class FragmentStore(SimpleCache):
    """SimpleCache, forgetting the oldest quarter at once when it is full.

    SimpleCache forgets one entry at a time, and sorts the whole store to find it: once full (the service
    listings near many visitors fill it), every fragment kept cost a sort of thousands of entries. Every
    fragment is kept for the same time, so the order they were kept in is the order they expire in."""

    def _prune(self) -> None:
        if not self._over_threshold():
            return
        self._remove_expired(time())
        if self._over_threshold():
            for key in list(islice(self._cache, max(1, len(self._cache) // 4))):
                self._cache.pop(key, None)


SETTINGS = {
    "CACHE_TYPE": "wizard.platform.fragments.FragmentStore",
    # The results page's pieces number some 600 per language (wizard/domain's answer space), beside the
    # layout's, the helplines' and the service listings'. A piece is 1-4 KB: 3,000 keep a worker's
    # store to a few MB (bench/memory.py measures a worker after many different visitors).
    "CACHE_THRESHOLD": 3000,
    # A day, not "never": SimpleCache treats a never-expiring entry as expired when it prunes, so a full
    # store would forget everything at once. With a timeout it forgets the oldest first.
    "CACHE_DEFAULT_TIMEOUT": 24 * 60 * 60,
    "CACHE_SERIALIZER": KeptAsIs(),
}


class KeptBlock(CacheExtension):
    """Flask-Caching's `{% cache %}` tag as it parses, looking its fragment up in the store itself.

    The library's tag finds the store through current_app and hashes its keys into a string on every
    call, about 7 µs a tag with three tags on every page; this is about half that. Every fragment is kept
    for the store's own time (the tags here all say None), and an error in the store is not swallowed:
    it is this process's memory."""

    def _cache(self, timeout, fragment_name, vary_on, caller):
        if vary_on == [None]:
            # A page that must not keep this fragment this time: it may show what the visitor typed, or be
            # one that too few see to be worth keeping (a question with several choices ticked).
            return caller()
        # Apart from kept() partials, whose keys start with a template's name.
        key = ("{% cache %}", fragment_name, *vary_on)
        store = _cv_app.get().app.extensions["fragment_store"]
        value = store.get(key)
        if value is None:
            value = caller()
            store.set(key, value)
        return value


def fragment_key(*parts) -> str:
    """The template's keys with the language, partner and path prefix, as one unambiguous string.

    A repr, not JSON: a page asks for up to 50 keys, and repr of a tuple of names, numbers and None
    is unambiguous and several times quicker. The request and `g` are read through their context
    variables rather than Flask's proxies, for the same reason."""
    request_context = _cv_request.get(None)
    if request_context is None:
        return repr((i18n.language(), None, "", *parts))
    partner = _cv_app.get().g.__dict__.get("partner")
    partner_id = partner.id if partner is not None else None
    # The script root too: links carry the prefix a proxy mounts the app under.
    return repr((i18n.language(), partner_id, request_context.request.script_root, *parts))


def _page_parts() -> tuple:
    """The language, partner and path prefix every kept piece is kept under."""
    request_context = _cv_request.get(None)
    if request_context is None:
        return (i18n.language(), None, "")
    partner = _cv_app.get().g.__dict__.get("partner")
    partner_id = partner.id if partner is not None else None
    return (i18n.language(), partner_id, request_context.request.script_root)


def _kept_value(store: FragmentStore, key: tuple):
    """The piece kept under `key`, or None: read from the store's dict itself, as SimpleCache.get would
    (which also calls the serializer, here a no-op), as a results page reads some 40 pieces."""
    entry = store._cache.get(key)
    if entry is None:
        return None
    expires, value = entry
    return value if expires == 0 or expires > time() else None


def kept(template: str, *parts, **context) -> Markup:
    """A whole partial `template` rendered with `context`, kept like a fragment under the template's name,
    `parts`, the page's language, partner and path prefix.

    Cheaper than an include holding `{% cache %}` blocks: one look-up for the whole partial, and nothing of
    it run again. `parts` must name everything in `context` the partial shows (reasons may be among them:
    they are the rules' words, the same for everyone they apply to); never anything the visitor typed."""
    key = (template, *_page_parts(), *parts)
    # The store itself, not Flask-Caching's wrapper, which finds it through current_app on every call.
    store = _cv_app.get().app.extensions["fragment_store"]
    value = _kept_value(store, key)
    if value is None:
        value = Markup(render_template(template, **context))  # noqa: S704 (rendered by autoescaping Jinja)
        store.set(key, value)
    return value


def kept_each(template: str, matches, *parts, joined_by: str = "", **context) -> Markup:
    """kept() for each of `matches` (approach or organisation matches from the rules) in turn, joined by
    `joined_by`: each kept under its approach's or organisation's id, its reasons and `parts`, and
    rendered with `match` set to it besides `context`.

    The loop is here rather than in the template: the options after the first three and the
    organisations number some 25 on a results page, and each `kept()` called from a template loop costs
    Jinja several attribute look-ups and a checked call."""
    page = _page_parts()
    store = _cv_app.get().app.extensions["fragment_store"]
    pieces = []
    for match in matches:
        subject = match.approach if hasattr(match, "approach") else match.organisation
        key = (template, *page, subject.id, match.reasons, *parts)
        value = _kept_value(store, key)
        if value is None:
            value = Markup(render_template(template, match=match, **context))  # noqa: S704 (autoescaping Jinja)
            store.set(key, value)
        pieces.append(value)
    return Markup(joined_by.join(pieces))  # noqa: S704 (kept pieces, each rendered by autoescaping Jinja)


def approach_cards(cards, documents: dict, steps, callback: bool) -> Markup:
    """The results' option cards, numbered from 1: for each, its top, how to start and its details (the
    public results page and the staff guide's panel).

    The top and the details are kept pieces (the rules' words only), and so is how to start: under the line
    to call, or, where a service near the person offers the approach, under that listing and the directory's
    version (it names the service and its phone, nothing else of the person's).
    Joined here rather than by a macro looping in the template: three cards, each three pieces, were
    a tenth of a results page's rendering."""
    out = []
    for number, match in enumerate(cards, 1):
        a = match.approach
        top = kept("partials/approach_card_top.html", a.id, number, match.reasons[:1], match=match, number=number)
        service = steps.services_by_approach.get(a.id) if steps else None
        if service is not None:
            start = kept(
                "partials/approach_start.html",
                a.id,
                "near",
                service.listing.id,
                getattr(service, "version", None),
                a=a,
                steps=steps,
                callback=callback,
                again=number > 1,
            )
        else:
            line = steps.first_line if steps else None
            start = kept(
                "partials/approach_start.html",
                a.id,
                line.name if line else None,
                line.phone if line else None,
                callback,
                number > 1,
                a=a,
                steps=steps,
                callback=callback,
                again=number > 1,
            )
        more = kept("partials/approach_card_more.html", a.id, match.reasons[1:], match=match, documents=documents)
        # As the card's lines were laid out in the template: how to start indented under the top.
        out.append(f"{top}\n  {start}\n{more}")
    return Markup("".join(out))  # noqa: S704 (kept pieces, each rendered by autoescaping Jinja)


def service_listings(shown_services, for_staff: bool) -> Markup:
    """The services shown near the person, each a kept piece (service_listing.html) under its listing's id, the
    directory's version, the reader and why it was shown in words.

    The words, not the reasons: a directory reason's distance and town are in its words, and its equality
    ignores them. They hold nothing the visitor typed (a town is the gazetteer's, chosen by its id), so
    everyone near the same town is shown the same piece. A visitor's CSRF token is not in it: the report
    buttons share one form around the list (services_near.html)."""
    pieces = []
    for shown in shown_services:
        why = ". ".join(i18n.reason_text(reason) for reason in shown.match.reasons)
        listing = shown.listing
        pieces.append(
            kept(
                "partials/service_listing.html",
                listing.id,
                shown.version,
                for_staff,
                why,
                shown=shown,
                for_staff=for_staff,
                why=why,
            )
        )
    return Markup("".join(pieces))  # noqa: S704 (kept pieces, each rendered by autoescaping Jinja)


def results_background(result, documents: dict, approach_names: dict, for_staff: bool) -> Markup:
    """The results' collapsed background (results_background.html), kept whole under what it shows: what does
    not work well with its note for the reader, the policies and the organisations, each with its reasons (the
    rules' words), and whether staff read it. Each part is a kept piece too, for the combinations not met yet."""
    return kept(
        "partials/results_background.html",
        tuple((item.item.id, item.note) for item in result.not_effective),
        tuple((match.approach.id, match.reasons) for match in result.information),
        tuple((match.organisation.id, match.reasons) for match in result.direct_help),
        tuple((match.organisation.id, match.reasons) for match in result.information_bodies),
        bool(for_staff),
        result=result,
        documents=documents,
        approach_names=approach_names,
        for_staff=bool(for_staff),
    )


def init_app(app: Flask) -> None:
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    fragments = app.extensions["fragments"] = Cache(app, with_jinja2_ext=False)
    app.extensions["fragment_store"] = app.extensions["cache"][fragments]
    app.jinja_env.add_extension(KeptBlock)
    app.add_template_global(fragment_key)
    app.add_template_global(kept)
    app.add_template_global(kept_each)
    app.add_template_global(approach_cards)
    app.add_template_global(service_listings)
    app.add_template_global(results_background)
