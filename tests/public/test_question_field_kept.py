"""A question's field is kept once rendered (wizard/public/views/questions.py, `_field_key`): each visitor
still sees their own ticked choice, wording and language, and never another visitor's error."""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk
from tests.support.pages import Browser


def _ticked(html: str, question_id: str) -> set[str]:
    return set(re.findall(rf'name="{question_id}" value="([^"]+)" checked', html))


@pytest.fixture
def visitor(app):
    """A new visitor who has answered every question with `answers` (FULL, with `changes`)."""

    def make(lang: str = "en", **changes) -> Browser:
        browser = Browser(app.test_client())
        browser.get(f"/?lang={lang}")
        walk(browser, {**FULL, **changes})
        return browser

    return make


def test_each_visitor_sees_their_own_ticked_choice(visitor):
    first, second, third = visitor(faith="secular"), visitor(faith="faith_based"), visitor(faith="secular")
    for _ in range(2):  # rendered, then kept
        assert _ticked(first.get("/questions/faith").html, "faith") == {"secular"}
        assert _ticked(second.get("/questions/faith").html, "faith") == {"faith_based"}
        assert _ticked(third.get("/questions/faith").html, "faith") == {"secular"}


def test_one_choice_ticked_of_several_is_the_visitors_own(visitor):
    alone, with_others = visitor(support=["peer_groups"]), visitor(support=[])
    for _ in range(2):
        assert _ticked(alone.get("/questions/support").html, "support") == {"peer_groups"}
        assert _ticked(with_others.get("/questions/support").html, "support") == set()


def test_the_wording_follows_whom_the_help_is_for_and_the_language(visitor):
    myself, family, spanish = visitor(), visitor(who="someone_else"), visitor(lang="es")
    pages = {}
    for _ in range(2):
        for name, browser in (("myself", myself), ("family", family), ("spanish", spanish)):
            html = browser.get("/questions/faith").html
            heading = re.search(r'<h1 class="question-heading">([^<]+)</h1>', html).group(1)
            assert pages.setdefault(name, heading) == heading
    assert len(set(pages.values())) == 3, pages


def test_an_error_is_shown_to_its_visitor_only(visitor):
    calm, sent_nothing = visitor(), visitor()
    calm.get("/questions/faith")  # the field without an error, kept first
    page = sent_nothing.get("/questions/faith?change=1")
    page = sent_nothing.post("/questions/faith?change=1", data={"csrf_token": page.csrf_token()})
    assert 'class="error-message"' in page.html
    assert 'class="error-message"' not in calm.get("/questions/faith").html
    # And the other way round: an error page is never what a later visitor is given.
    page = sent_nothing.post("/questions/faith?change=1", data={"csrf_token": page.csrf_token()})
    assert 'class="error-message"' in page.html
    assert 'class="error-message"' not in visitor().get("/questions/faith").html


def test_a_typed_place_is_never_kept(visitor):
    typed = visitor(country="PT")
    page = typed.get("/questions/town?change=1")
    page = typed.post("/questions/town?change=1", data={"csrf_token": page.csrf_token(), "town": "Zzyzxville"})
    assert "Zzyzxville" in page.html
    assert "Zzyzxville" not in visitor(country="PT").get("/questions/town").html


def test_each_visitor_sees_their_own_town(visitor):
    evora = visitor(country="PT", town="évora")
    springfield = visitor(country="US", subdivision="US-IL", town="springfield")
    for _ in range(2):
        assert 'value="Évora"' in evora.get("/questions/town").html
        assert 'value="Springfield"' in springfield.get("/questions/town").html


def test_each_visitor_is_offered_their_own_countrys_regions(visitor):
    portugal, united_states = visitor(country="PT"), visitor(country="US")
    for _ in range(2):
        assert 'value="PT-11"' in portugal.get("/questions/subdivision").html
        assert 'value="US-IL"' in united_states.get("/questions/subdivision").html
