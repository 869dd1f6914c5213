"""Choosing a language, keeping it, and everything a page says following it."""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk
from wizard.platform.i18n import LANGUAGES, _sort_key, babel_id, catalogue_for


def translate(lang: str, msgid: str) -> str:
    """The catalogue's translation (through its fallback), with white space folded as the page check folds it."""
    return " ".join(catalogue_for(babel_id(lang)).gettext(msgid).split())


def html_attrs(page) -> tuple[str, str]:
    match = re.search(r'<html lang="([a-zA-Z-]+)" dir="(ltr|rtl)">', page.html)
    assert match, "no lang/dir on <html>"
    return match.group(1), match.group(2)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_explicit_choice_sets_lang_dir_and_text(browser, lang):
    page = browser.get(f"/?lang={lang}")
    assert html_attrs(page) == (lang, LANGUAGES[lang][1])
    assert page.h1 == translate(lang, "Find recovery support that fits")
    if lang != "en":
        assert page.h1 != "Find recovery support that fits"
    # The choice is remembered for the rest of the journey.
    page = browser.get("/questions/who")
    assert html_attrs(page)[0] == lang
    assert page.h1 == translate(lang, "Who are you looking for help for?")


def test_browser_language_is_used_when_nothing_was_chosen(browser):
    page = browser.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert html_attrs(page) == ("fr", "ltr")


def test_explicit_choice_beats_the_browser_language(browser):
    browser.get("/?lang=pt-PT", headers={"Accept-Language": "es"})
    page = browser.get("/privacy", headers={"Accept-Language": "es"})
    assert html_attrs(page)[0] == "pt-PT"


def test_unknown_language_falls_back_to_english(browser):
    page = browser.get("/?lang=xx", headers={"Accept-Language": "de"})
    assert html_attrs(page) == ("en", "ltr")


def test_switcher_on_every_page_names_each_language_in_itself(browser):
    page = browser.get("/questions/who?change=1")
    for code, (name, _direction) in LANGUAGES.items():
        assert f'lang="{code}" hreflang="{code}"' in page.html
        assert f">{name}</a>" in page.html
    # The switcher keeps the page and its other parameters.
    assert 'href="/questions/who?change=1&amp;lang=en"' in page.html


def test_each_page_links_to_itself_in_each_language_under_the_path_the_site_is_mounted_at(client):
    for _ in range(2):  # made, then kept
        for root, path, query in [
            ("", "/questions/who", "change=1&"),
            ("/help", "/questions/who", "change=1&"),
            ("", "/privacy", ""),
            ("/help", "/privacy", ""),
        ]:
            html = client.get(f"{path}?{query}lang=en", base_url=f"http://localhost{root}/").get_data(as_text=True)
            assert html.count('hreflang="') == len(LANGUAGES)
            assert f'href="{root}{path}?{query.replace("&", "&amp;")}lang=es" lang="es"' in html


def test_switching_language_keeps_every_answer(browser):
    walk(browser, FULL)
    english = browser.get("/check-answers")
    page = browser.get("/check-answers?lang=es")
    assert page.h1 == translate("es", "Check your answers")
    assert english.html.count("summary-list__row") == page.html.count("summary-list__row")
    assert "Reino Unido" in page.text()  # the country, in Spanish


def test_rules_content_and_errors_are_translated(browser):
    browser.get("/?lang=fr")
    page = browser.get("/questions/who")
    page = browser.answer(page, None)
    assert translate("fr", "Select who you are looking for help for") in page.text()
    assert page.title.startswith(translate("fr", "Error:"))
    walk(browser, FULL)
    page = browser.get("/results")
    assert translate("fr", "Medicine for cravings and withdrawal (medication-assisted treatment, MAT)") in page.text()
    assert translate("fr", "Why it fits:") in page.text()


def test_country_names_are_localised_and_sorted_for_the_language(browser):
    browser.get("/?lang=fr")
    page = browser.answer(browser.get("/questions/who"), "myself")
    options = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', page.html)
    names = [name for _code, name in options]
    assert dict(options)["DE"] == "Allemagne"
    assert names == sorted(names, key=_sort_key)


def test_arabic_pages_are_right_to_left_with_numbers_isolated(browser):
    browser.get("/?lang=ar")
    page = browser.answer(browser.get("/questions/who"), "myself")
    page = browser.answer(page, "GB")
    assert html_attrs(page) == ("ar", "rtl")
    assert '<bdi dir="ltr">999</bdi>' in page.html


def test_one_page_version_keeps_the_language_without_cookies(app):
    client = app.test_client(use_cookies=False)
    page = client.get("/all-questions?lang=pt-PT").get_data(as_text=True)
    assert 'action="/all-questions?lang=pt-PT"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/all-questions?lang=pt-PT", data={"csrf_token": token, **FULL})
    assert response.status_code == 200
    assert '<html lang="pt-PT"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("asked", "remembered"),
    [("fr-CA", "fr"), ("PT_pt", "pt-PT"), ("pt", "pt"), ("fr-zzzz<script>", "fr")],
)
def test_the_language_is_remembered_as_one_of_ours_never_as_typed(client, asked, remembered):
    client.get("/", query_string={"lang": asked})
    with client.session_transaction() as session:
        assert session["lang"] == remembered


def test_templates_translate_the_text_and_escape_only_what_is_put_into_it(app):
    """The templates' _(): the catalogue's text is trusted (it may hold an entity), a value is escaped."""
    from flask import render_template_string

    with app.test_request_context("/?lang=en"):
        page = render_template_string('{{ _("Call %(number)s now.", number=value) }}', value="<b>112</b>")
        assert page == "Call &lt;b&gt;112&lt;/b&gt; now."
        assert render_template_string('{{ _("100%% free") }}') == "100% free"
