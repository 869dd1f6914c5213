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
nothing but its key: never answers, tokens or anything the visitor typed. A
match's reasons may be part of a key, as they are the rules' own words, the
same for everyone they apply to (never a directory reason: those carry a
distance or a place in their parameters, which their equality ignores).

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


def kept(template: str, *parts, **context) -> Markup:
    """A whole partial `template` rendered with `context`, kept like a fragment under the template's name,
    `parts`, the page's language, partner and path prefix.

    Cheaper than an include holding `{% cache %}` blocks: one look-up for the whole partial, and nothing of
    it run again. `parts` must name everything in `context` the partial shows (reasons may be among them:
    they are the rules' words, the same for everyone they apply to); never anything the visitor typed."""
    app_context = _cv_app.get()
    request_context = _cv_request.get(None)
    if request_context is None:
        key = (template, i18n.language(), None, "", *parts)
    else:
        partner = app_context.g.__dict__.get("partner")
        partner_id = partner.id if partner is not None else None
        key = (template, i18n.language(), partner_id, request_context.request.script_root, *parts)
    # The store itself, not Flask-Caching's wrapper, which finds it through current_app on every call.
    store = app_context.app.extensions["fragment_store"]
    value = store.get(key)
    if value is None:
        value = Markup(render_template(template, **context))  # noqa: S704 (rendered by autoescaping Jinja)
        store.set(key, value)
    return value


def init_app(app: Flask) -> None:
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    fragments = app.extensions["fragments"] = Cache(app, with_jinja2_ext=False)
    app.extensions["fragment_store"] = app.extensions["cache"][fragments]
    app.jinja_env.add_extension(KeptBlock)
    app.add_template_global(fragment_key)
    app.add_template_global(kept)
