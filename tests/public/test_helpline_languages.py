"""A helpline says which languages it answers in, where its source says, and a reader of another language
is told so and pointed to the call-back form (usability M7)."""

from __future__ import annotations

import re

import pytest
from babel.support import Translations

from wizard.platform.i18n import TRANSLATIONS


def text_of(page) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.html).split())


@pytest.fixture
def portuguese_only(app):
    """Linha Vida as if its source said it answers in Portuguese only."""
    matcher = app.extensions["services"].matcher
    portugal = matcher.contacts["PT"]
    lines = tuple(
        line.model_copy(update={"languages": ("pt",)}) if "Linha Vida" in line.name else line
        for line in portugal.helplines
    )
    matcher.contacts["PT"] = portugal.model_copy(update={"helplines": lines})
    yield
    matcher.contacts["PT"] = portugal


def test_a_helpline_says_it_answers_in_portuguese_and_points_an_english_reader_to_the_call_back_form(
    browser, portuguese_only
):
    page = browser.post("/help-now", data={"country": "PT"})
    text = text_of(page)
    assert "Answers in: Portuguese" in text
    assert "It may not answer in English." in text
    assert "You can also ask World Assistance to contact you, and choose your language." in text
    assert 'href="/reach-out#callback-title"' in page.html


def test_a_portuguese_reader_is_not_told_the_line_may_not_answer_in_their_language(browser, portuguese_only):
    page = browser.post("/help-now?lang=pt", data={"country": "PT"})
    assert page.html.count("helpline__language-gap") == 0


def test_the_languages_given_in_the_rules_are_shown(browser):
    text = text_of(browser.post("/help-now", data={"country": "CA"}))
    assert "Answers in: English and French" in text and "It may not answer in" not in text
    spanish = text_of(browser.post("/help-now?lang=es", data={"country": "CA"}))
    gap = Translations.load(str(TRANSLATIONS), ["es"]).gettext("It may not answer in %(language)s.")
    assert gap % {"language": "español"} in spanish
