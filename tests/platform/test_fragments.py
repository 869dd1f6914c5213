"""Fragments rendered once and reused give exactly the pages rendered from scratch.

A fragment is kept per language and partner; a key that missed something would
show one visitor another's text, or the wrong language. Each page here is
fetched with the fragment store filled (by other languages and answers) and
again with it emptied just before (every fragment rendered in that request),
and the two must be the same bytes.
"""

from __future__ import annotations

import re

from tests.support.answers import FULL
from tests.support.journey import walk
from tests.support.pages import Browser
from wizard import create_app
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY
from wizard.platform.i18n import LANGUAGES

PARTNER = "example"
# Made fresh for every form shown (the CSRF token, signed with the time; the call-back form's one-time key).
TOKEN = re.compile(r'name="(csrf_token|form_key)"(?: type="hidden")? value="[^"]+"')


def _answer_sets(app) -> list[dict]:
    matcher = app.extensions["services"].matcher
    without_contacts = sorted(set(matcher.countries) - set(matcher.contacts))
    sets = [
        FULL,
        {**FULL, "who": "someone_else", "country": "IN", "faith": "faith_based", "setting": "inpatient"},
        {
            **FULL,
            "country": PREFER_NOT_TO_SAY,
            "medication": "not_open",
            "needs": ["women_childcare", "language_culture"],
        },
    ]
    if without_contacts:
        sets.append({**FULL, "country": without_contacts[0], "support": ["online", "holistic"]})
    return sets


def _page(client, path: str, *, cached: bool) -> str:
    if not cached:
        client.application.extensions["fragments"].clear()
    response = client.get(path)
    assert response.status_code == 200, path
    return TOKEN.sub(r'name="\1" value=""', response.get_data(as_text=True))


def _compare(client, paths: list[str]) -> None:
    for path in paths:
        for lang in LANGUAGES:
            with_store = _page(client, f"{path}?lang={lang}", cached=True)
            fresh = _page(client, f"{path}?lang={lang}", cached=False)
            assert with_store == fresh, f"{path} in {lang} differs when fragments are reused"


def test_results_pages_are_the_same_with_and_without_kept_fragments(app):
    for answers in _answer_sets(app):
        client = app.test_client()
        walk(Browser(client), answers)
        _compare(client, ["/results", "/reach-out", "/help-now", "/"])
    approach = app.extensions["services"].rulebook.approaches[0].id
    _compare(app.test_client(), [f"/approaches/{approach}", "/privacy", "/accessibility", "/staying-safe-online"])
    assert app.extensions["fragments"].cache._cache, "no fragment was kept"


def test_embedded_pages_keep_their_partner_links(app):
    # First the site's own pages fill the store, then the partner's must still get theirs.
    client = app.test_client()
    walk(Browser(client), FULL)
    _page(client, "/results", cached=True)
    embedded = Browser(app.test_client())
    page = embedded.get(f"/embed/{PARTNER}/questions")
    while "/questions/" in embedded.history[-1]:
        page = embedded.answer(page, FULL.get(embedded.history[-1].rsplit("/", 1)[1]))
    _compare(embedded.client, [f"/embed/{PARTNER}/results", f"/embed/{PARTNER}/reach-out"])


def test_a_page_seen_again_renders_no_fragment_again(app, browser, monkeypatch):
    walk(browser, FULL)
    # The store itself: the `{% cache %}` tag and kept() both keep their pieces there.
    store = app.extensions["fragment_store"]
    rendered = []
    keep = store.set
    monkeypatch.setattr(store, "set", lambda key, value, **kw: rendered.append(key) or keep(key, value, **kw))
    first = browser.client.get("/results").get_data(as_text=True)
    assert rendered
    count = len(rendered)
    again = browser.client.get("/results").get_data(as_text=True)
    assert len(rendered) == count
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    # Another language is rendered once, in that language.
    spanish = browser.client.get("/results?lang=es").get_data(as_text=True)
    assert len(rendered) > count
    assert '<html lang="es"' in spanish and "Qué puede esperar" in spanish


def test_the_store_is_bounded_and_forgets_the_oldest_first():
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "CACHE_THRESHOLD": 2})
    store = app.extensions["fragments"]
    for name in ["a", "b", "c", "d"]:
        store.set(name, name)
    assert len(store.cache._cache) <= 3
    # The newest are still kept, the oldest had to go.
    assert store.get("d") == "d" and store.get("c") == "c"
    assert store.get("a") is None


def test_an_app_mounted_under_a_prefix_gets_links_with_it(app, client):
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    mounted = client.get("/", base_url="http://localhost/help/").get_data(as_text=True)
    assert 'href="/help/privacy"' in mounted and 'href="/privacy"' not in mounted


def test_a_full_store_forgets_its_oldest_quarter_at_once():
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "CACHE_THRESHOLD": 8})
    store = app.extensions["fragments"]
    for n in range(12):
        store.set(f"k{n}", n)
    assert len(store.cache._cache) <= 9
    assert store.get("k11") == 11 and store.get("k10") == 10
    assert store.get("k0") is None


def test_a_kept_piece_is_kept_per_its_parts_and_language(app):
    from wizard.domain.matching import OrganisationMatch, Reason
    from wizard.platform.fragments import kept

    organisation = app.extensions["services"].rulebook.organisations[0]
    documents = {d.id: d for d in app.extensions["services"].rulebook.documents}
    pieces = {}
    for lang in ("en", "es"):
        with app.test_request_context(f"/?lang={lang}"):
            for reason in ("You said you inject", "You asked about alcohol"):
                match = OrganisationMatch(organisation, (Reason("r", reason),))
                pieces[lang, reason] = kept(
                    "partials/organisation.html",
                    organisation.id,
                    False,
                    match.reasons,
                    match=match,
                    documents=documents,
                )
    assert "You said you inject" in pieces["en", "You said you inject"]
    assert "You asked about alcohol" in pieces["en", "You asked about alcohol"]
    assert "You said you inject" not in pieces["en", "You asked about alcohol"]
    assert '<li class="org">' in pieces["es", "You said you inject"]
    assert pieces["es", "You said you inject"] != pieces["en", "You said you inject"]


# What the results' background shows (results_background.html), part by part, worked out here on its own.
BACKGROUND_PARTS = {
    "what does not work well": lambda r: tuple((i.item.id, i.note) for i in r.not_effective),
    "policies": lambda r: tuple((m.approach.id, m.reasons) for m in r.information),
    "organisations that help directly": lambda r: tuple((m.organisation.id, m.reasons) for m in r.direct_help),
    "bodies that set standards": lambda r: tuple((m.organisation.id, m.reasons) for m in r.information_bodies),
}


def _pairs_differing_in_one_part(matcher, rulebook) -> dict[str, tuple[dict, dict]]:
    """For each part of the background, two answer sets from the walk whose backgrounds differ in that part alone."""
    from wizard.domain.coverage import walk

    seen: dict[str, dict[tuple, tuple[tuple, dict]]] = {name: {} for name in BACKGROUND_PARTS}
    pairs: dict[str, tuple[dict, dict]] = {}
    for answers in walk(rulebook, matcher):
        result = matcher.match(answers)
        parts = {name: part(result) for name, part in BACKGROUND_PARTS.items()}
        for name in BACKGROUND_PARTS.keys() - pairs.keys():
            others = tuple(value for other, value in parts.items() if other != name)
            first = seen[name].setdefault(others, (parts[name], answers))
            if first[0] != parts[name]:
                pairs[name] = (first[1], answers)
        if len(pairs) == len(BACKGROUND_PARTS):
            break
    return pairs


def test_the_results_background_is_kept_per_everything_it_shows(app, matcher, rulebook):
    """Each part of the background (each a list of things with their reasons) decides the kept piece: a
    visitor whose background differs from an earlier visitor's in one part alone gets their own."""
    pairs = _pairs_differing_in_one_part(matcher, rulebook)
    assert pairs.keys() == BACKGROUND_PARTS.keys()
    for name, (earlier, later) in pairs.items():
        app.extensions["fragments"].clear()
        pages = []
        for answers in (earlier, later):
            client = app.test_client()
            with client.session_transaction() as session:
                session["answers"] = answers
            pages.append(client)
        _page(pages[0], "/results", cached=True)
        kept_page = _page(pages[1], "/results", cached=True)
        assert kept_page == _page(pages[1], "/results", cached=False), f"{name}: another visitor's background"
