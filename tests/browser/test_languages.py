"""The journey in every language: chosen with the switcher, kept to the results.

Answers are chosen by option code (the inputs' ids), so the same journey runs
in every language; what the page says is compared with the catalogues. Every
page is checked with axe, and screenshots at 375 and 1280 px of each page in
each language are kept (artifacts/screenshots/375-<lang>-start.png, ...).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from wizard.platform.i18n import LANGUAGES, babel_id, catalogue_for

pytestmark = pytest.mark.browser

ANSWERS = {
    "who": "someone_else",
    "country": "PT",
    "danger": "not_now",
    "subdivision": "",
    "town": "",
    "substances": ["opioids"],
    "injecting": "does_not_inject",
    "readiness": "stop",
    "faith": "no_preference",
    "setting": "outpatient",
    "medication": "open",
    "previous_treatment": "never",
    "support": ["peer_groups"],
    "needs": ["legal"],
}


def translate(lang: str, msgid: str) -> str:
    return catalogue_for(babel_id(lang)).gettext(msgid)


def choose(page: Page, question_id: str, value: object) -> None:
    if question_id in ("country", "subdivision"):
        page.locator(f"#{question_id}-input").select_option(value=str(value))
    elif question_id == "town":
        page.locator("#town-input").fill(str(value))
    elif isinstance(value, list):
        for code in value:
            page.locator(f"#{question_id}-{code}").check()
    else:
        page.locator(f"#{question_id}-{value}").check()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_whole_journey_in_each_language(open_page, site, check_page, lang):
    page = open_page(shot_prefix=f"{lang}-")
    page.goto("/")
    check_page(page, "start-en")
    page.locator(".languages__toggle").click()
    with page.expect_navigation():
        page.locator(f'.languages__list a[hreflang="{lang}"]').click()
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", LANGUAGES[lang][1])
    expect(page.locator("h1")).to_have_text(translate(lang, "Find recovery support that fits"))
    check_page(page)

    with page.expect_navigation():
        page.locator("a.button--start").click()
    asked = []
    while site.path_of(page.url).startswith("/questions/"):
        question_id = site.path_of(page.url).rsplit("/", 1)[1]
        assert question_id not in asked
        asked.append(question_id)
        expect(html).to_have_attribute("lang", lang)  # the choice lasts the whole journey
        check_page(page)
        choose(page, question_id, ANSWERS[question_id])
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
    assert asked == list(ANSWERS)

    check_page(page)
    with page.expect_navigation():
        page.locator('main a.button[href="/results"]').click()
    check_page(page)
    expect(html).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(translate(lang, "Your next steps"))
    expect(page.locator("#approach-medication-assisted-treatment")).to_be_visible()
    # The crisis line names the country's number, isolated so it reads the right way round.
    expect(page.locator(".crisis bdi[dir=ltr]")).to_have_text("112")
    if lang != "en":
        assert translate(lang, "Your next steps") != "Your next steps"

    # "Get help now", from the crisis line at the top of every page, in the same language.
    with page.expect_navigation():
        page.locator(".crisis a.crisis__more").click()
    check_page(page)
    expect(html).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(translate(lang, "Get help now"))
    expect(page.locator("main a[href='tel:112']").first).to_be_visible()


def test_switching_language_mid_journey_keeps_every_answer(open_page, site, check_page):
    page = open_page(shot_prefix="switch-")
    page.goto("/questions")
    answers = {**ANSWERS, "subdivision": "PT-13"}
    for question_id in ("who", "country", "danger", "subdivision", "town"):
        check_page(page)
        choose(page, question_id, answers[question_id])
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
    check_page(page)
    page.locator(".languages__toggle").click()
    with page.expect_navigation():
        page.locator('.languages__list a[hreflang="ar"]').click()
    check_page(page)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # Still on the sixth question, and the answers given in English are kept.
    assert site.path_of(page.url) == "/questions/substances"
    with page.expect_navigation():
        page.locator("a.back-link").click()
    check_page(page)
    with page.expect_navigation():
        page.locator("a.back-link").click()
    check_page(page)
    expect(page.locator("#subdivision-input")).to_have_value("PT-13")
    with page.expect_navigation():
        page.locator("a.back-link").click()
    check_page(page)
    expect(page.locator("#danger-not_now")).to_be_checked()
