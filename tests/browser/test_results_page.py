"""The results page on a phone: next steps first, short enough to act on, nothing lost.

For four people (a person in India who wants to stop drinking, a family member in Mexico, a secular
person in France who is open to medication, someone who prefers not to say wherever they can) and for
the longest results in the whole answer space, in English and Arabic: the first concrete action (a
tel: link or a service link under the heading) starts above 650 px at 375 x 812, the page is at most
4,000 px tall with nothing expanded, every disclosure opens from the keyboard, and each page is
screenshotted at 375 and 1280 px (artifacts/screenshots/*-results.png).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from wizard.domain.coverage import walk

pytestmark = pytest.mark.browser

FIRST_ACTION_MAX_PX = 650
PAGE_MAX_PX = 4000

ANSWER_SETS = {
    "india-stop-drinking": {
        "who": "myself",
        "country": "IN",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
        "substances": ["alcohol"],
        "readiness": "stop",
        "faith": "no_preference",
        "setting": "not_sure",
        "medication": "want_to_know_more",
        "previous_treatment": "never",
        "support": [],
        "needs": [],
    },
    "family-mexico": {
        "who": "someone_else",
        "country": "MX",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
        "substances": ["dont_know"],
        "readiness": "not_sure",
        "faith": "no_preference",
        "setting": "not_sure",
        "medication": "want_to_know_more",
        "previous_treatment": "dont_know",
        "support": [],
        "needs": ["prefer_not_to_say"],
    },
    "secular-france-medication": {
        "who": "myself",
        "country": "FR",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
        "substances": ["opioids"],
        "injecting": "does_not_inject",
        "readiness": "stop",
        "faith": "secular",
        "setting": "outpatient",
        "medication": "open",
        "previous_treatment": "did_not_help",
        "support": ["peer_groups"],
        "needs": ["mental_health"],
    },
    "prefer-not-to-say": {
        "who": "myself",
        "country": "prefer_not_to_say",
        "danger": "not_now",
        "substances": ["prefer_not_to_say"],
        "readiness": "not_sure",
        "faith": "no_preference",
        "setting": "not_sure",
        "medication": "want_to_know_more",
        "previous_treatment": "prefer_not_to_say",
        "support": ["none_of_these"],
        "needs": ["prefer_not_to_say"],
    },
}


def longest_answers(site) -> dict:
    """The answer set whose results hold the most: every item shown, and the country's helplines."""
    services = site.app.extensions["services"]
    matcher = services.matcher

    def size(answers: dict) -> int:
        result = matcher.match(answers)
        if result.crisis:
            return -1
        helplines = len(result.contacts.helplines) if result.contacts else 0
        return (
            len(result.approaches)
            + len(result.information)
            + len(result.not_effective)
            + len(result.direct_help)
            + len(result.information_bodies)
            + helplines
        )

    answers = max(walk(services.rulebook, matcher), key=size)
    # The walk leaves the place questions blank or "prefer not to say"; the browser answers them as blank.
    return {k: ("" if k in ("subdivision", "town") else v) for k, v in answers.items()}


def first_action_top(page: Page, *, callback_counts: bool = False) -> float:
    """How far down the page the first tel: link or service link under the heading starts (or, for a person
    whose country is unknown, so that no helpline can be named, the call-back link)."""
    selector = 'main a[href^="tel:"], main .service a'
    if callback_counts:
        selector += ", main a.first-step__callback"
    return page.evaluate(
        """(selector) => {
            const h1 = document.querySelector('main h1');
            const links = [...document.querySelectorAll(selector)]
                .filter(a => h1.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
            if (!links.length) return Infinity;
            return links[0].getBoundingClientRect().top + window.scrollY;
        }""",
        selector,
    )


def page_height(page: Page) -> float:
    return page.evaluate("() => document.documentElement.scrollHeight")


def open_results(open_page, wizard, check_page, answers: dict, name: str, language: str = "en") -> Page:
    page: Page = open_page(shot_prefix=f"{name}-" if language == "en" else f"{name}-{language}-")
    if language != "en":
        page.goto(f"/?lang={language}")
        check_page(page)
    wizard.complete(page, answers) if language == "en" else _complete_in(page, wizard, check_page, answers)
    check_page(page)  # check your answers
    page.goto("/results")
    check_page(page)
    return page


def _complete_in(page: Page, wizard, check_page, answers: dict) -> None:
    """The journey in another language: the answers are chosen by value, not by their English labels."""
    page.goto("/questions")
    while wizard.path(page).startswith("/questions/"):
        check_page(page)
        question_id = wizard.path(page).rsplit("/", 1)[1]
        value = answers[question_id]
        question = wizard.journey.by_id[question_id]
        if question.kind in ("country", "subdivision"):
            if value:
                page.locator(f"#{question_id}-input").select_option(value=str(value))
        elif question.kind == "town":
            page.locator("#town-input").fill(str(value or ""))
        else:
            for code in value if isinstance(value, list) else [value]:
                page.locator(f'input[name="{question_id}"][value="{code}"]').check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()


@pytest.mark.parametrize("name", list(ANSWER_SETS))
def test_next_steps_come_first_for_each_person(open_page, wizard, check_page, name) -> None:
    answers = ANSWER_SETS[name]
    page = open_results(open_page, wizard, check_page, answers, name)
    top = first_action_top(page, callback_counts=answers["country"] == "prefer_not_to_say")
    assert top <= FIRST_ACTION_MAX_PX, f"{name}: the first action starts at {top} px"
    height = page_height(page)
    assert height <= PAGE_MAX_PX, f"{name}: the results page is {height} px tall"
    # The call-back is offered in the first screen too.
    callback = page.locator(".first-step a", has_text="Ask us to call you back")
    expect(callback).to_be_visible()
    assert callback.bounding_box()["y"] < 812
    # Three options as cards at most, the rest collapsed.
    assert page.locator("ol.cards > li.card").count() <= 3
    # Desktop too, for the screenshots.
    page.set_viewport_size({"width": 1280, "height": 800})
    check_page(page)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_longest_results_fit_in_four_thousand_pixels(open_page, wizard, check_page, language) -> None:
    answers = longest_answers(wizard.site)
    page = open_results(open_page, wizard, check_page, answers, "longest", language)
    height = page_height(page)
    assert height <= PAGE_MAX_PX, f"the longest results page is {height} px tall in {language}"
    assert first_action_top(page, callback_counts=answers["country"] == "prefer_not_to_say") <= FIRST_ACTION_MAX_PX


def test_every_disclosure_opens_from_the_keyboard(open_page, wizard, check_page) -> None:
    page = open_results(open_page, wizard, check_page, ANSWER_SETS["secular-france-medication"], "keyboard")
    summaries = page.locator("main details > summary")
    assert summaries.count() >= 4
    for index in range(summaries.count()):
        summary = summaries.nth(index)
        if not summary.is_visible():
            continue  # inside a closed disclosure: reached once its parent is open
        details = summary.locator("xpath=..")
        summary.focus()
        was_open = details.evaluate("d => d.open")
        page.keyboard.press("Enter")
        assert details.evaluate("d => d.open") != was_open, f"Enter did not toggle disclosure {index}"
        page.keyboard.press("Space")
        assert details.evaluate("d => d.open") == was_open, f"Space did not toggle disclosure {index}"
