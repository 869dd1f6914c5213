"""`{% fragment "name", key... %}…{% endfragment %}`: parts of pages rendered once and reused.

Most of a results page is the same for everyone who reads it in the same
language: what an approach is, its evidence, cautions and quotes; an
organisation's description; a country's helplines. Rendering and translating
those again for every request was most of the page's cost. A fragment is
rendered the first time it is needed and kept, per process, under its name, the
keys the template gives, the page's language, the partner site (links inside
an embed carry the partner) and the path prefix the app is mounted under. Only put things in a fragment that depend on
nothing else: never answers, reasons, tokens or anything the visitor typed.

The rules are loaded once per process, so a fragment never goes stale; the
store is bounded anyway (oldest first out) in case a key turns out to vary more
than expected. `FRAGMENT_CACHE = False` renders every time (tests compare both).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import ClassVar

from flask import current_app, g, has_request_context, request
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from wizard.platform import i18n

MAX_FRAGMENTS = 4096


class FragmentStore:
    """A bounded, thread-safe map from keys to rendered markup.

    What is kept is what the template's caller returned: Markup, as every page
    template autoescapes, so it is never escaped twice."""

    def __init__(self, limit: int = MAX_FRAGMENTS) -> None:
        self.limit = limit
        self._items: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0

    def get_or_render(self, key: tuple, render) -> Markup:
        with self._lock:
            found = self._items.get(key)
        if found is not None:
            return found
        # Rendered outside the lock: two threads may both render a new fragment once,
        # which costs less than making every reader wait.
        made = render()
        with self._lock:
            self.renders += 1
            self._items[key] = made
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class FragmentExtension(Extension):
    tags: ClassVar[set[str]] = {"fragment"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        parts = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            parts.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        call = self.call_method("_render", [nodes.List(parts)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render(self, parts: list, caller) -> Markup:
        if not has_request_context() or not current_app.config.get("FRAGMENT_CACHE", True):
            return caller()
        partner = g.get("partner")
        # The script root too: links carry the prefix a proxy mounts the app under.
        key = (i18n.language(), partner.id if partner is not None else None, request.script_root, *parts)
        return current_app.extensions["fragments"].get_or_render(key, caller)


def init_app(app) -> None:
    app.extensions["fragments"] = FragmentStore()
    app.jinja_env.add_extension(FragmentExtension)
