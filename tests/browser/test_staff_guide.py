"""The conversation guide in a real browser, with the keyboard only.

With JavaScript the results follow each answer (the live region says so, and the list of
approaches changes when an answer does); without it the "Update results" button sends
the form. Every page goes through check_page (axe at 375 and 1280 px, screenshots).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.keyboard import assert_focus_visible, choose_checkboxes, choose_radio, press_until, tab_to_id
from tests.support.layout import assert_no_horizontal_scroll
from tests.support.staff_browser import enrol_with_keyboard, follow_link, new_account, press_button, type_into

pytestmark = pytest.mark.browser

ANSWERS = {
    "who": "myself",
    "country": "GB",
    "danger": "not_now",
    "subdivision": "",
    "town": "",
    "substances": ["opioids", "alcohol"],
    "injecting": "does_not_inject",
    "readiness": "stop",
    "faith": "secular",
    "setting": "outpatient",
    "medication": "open",
    "previous_treatment": "never",
    "support": ["peer_groups"],
    "needs": ["cost"],
}

# The approaches in the results panel, best match first (full cards, then the shorter list).
PANEL_APPROACHES = """() => [...document.querySelectorAll(
    '#guide-results section[aria-labelledby="approaches"] [id^="approach-"]:is(article, li)'
)].map(el => el.id.slice('approach-'.length))"""


@pytest.fixture
def username(site) -> str:
    return new_account(site, "kim")


def tab_far(page: Page, text: str, tag: str = "BUTTON", key: str = "Tab") -> None:
    """Tab to a control that may be past every link of the results (more than the usual 60 stops)."""
    press_until(page, lambda el: el["text"] == text and el["tag"] == tag, f"{tag} {text!r}", key, limit=250)


def wait_for_approaches(page: Page, ids: list[str]) -> None:
    page.wait_for_function(f"ids => JSON.stringify(({PANEL_APPROACHES})()) === JSON.stringify(ids)", arg=ids)


def expected_approaches(site, answers: dict) -> list[str]:
    return [match.approach.id for match in site.app.extensions["services"].matcher.match(answers).approaches]


def open_the_guide(page: Page, site, check_page, username: str) -> None:
    enrol_with_keyboard(page, site, check_page, username)
    check_page(page, "staff-inbox")
    follow_link(page, "Conversation guide")
    assert site.path_of(page.url) == "/staff/guide"


def answer_with_keyboard(page: Page, site, answers: dict, *, live: bool) -> None:
    """Each answer with Tab, the arrow keys, Space or typing: nothing is clicked."""
    journey = site.journey
    checked_focus = set()
    for question in journey.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        if live:
            # A question the earlier answers bring in appears once the results have caught up.
            expect(page.locator(f"#q-{question.id} [data-choices]")).to_be_visible()
        if question.kind in ("subdivision", "town"):
            tab_to_id(page, f"{question.id}-input")  # optional, left blank
        elif question.kind == "country":
            tab_to_id(page, "country-input")
            page.keyboard.type(journey.matcher.countries[value].name)
            expect(page.locator("#country-input")).to_have_value(value)
        elif question.kind == "multiple":
            choose_checkboxes(page, question.id, value)
        else:
            choose_radio(page, question.id, value)
        if question.kind not in checked_focus and (question.kind != "multiple" or value):
            assert_focus_visible(page)
            checked_focus.add(question.kind)


def test_the_guide_by_keyboard_with_live_results(open_page, site, check_page, username):
    page = open_page()
    open_the_guide(page, site, check_page, username)
    check_page(page, "staff-guide")
    assert_no_horizontal_scroll(page, "the conversation guide")
    expect(page.locator("#guide-results")).to_contain_text("The results appear here as you answer")
    # Before anything is answered, "injecting" waits for the substances: its answers are hidden.
    expect(page.locator("#injecting-skip")).to_be_visible()
    expect(page.locator("#injecting-injects")).to_be_hidden()

    # The skip link takes the keyboard to the results, and back again.
    tab_far(page, "Skip to the results", "A")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#guide-results")).to_be_focused()
    tab_to_id(page, "person_language", key="Shift+Tab")
    page.keyboard.type("Spanish")
    expect(page.locator("#person_language")).to_have_value("es")

    answer_with_keyboard(page, site, ANSWERS, live=True)
    status = page.locator("#guide-status")
    expect(status).to_have_text("Results updated")
    expect(page.locator("#injecting-skip")).to_be_hidden()
    first = expected_approaches(site, ANSWERS)
    wait_for_approaches(page, first)
    handout = re.compile(r"^/shared/[A-Za-z0-9_-]+/plan\?lang=es$")
    expect(page.locator("#handout-link")).to_have_attribute("href", handout)
    check_page(page, "staff-guide-live")

    # Change one answer: the approaches change with it, and the live region says so again.
    changed = {**ANSWERS, "faith": "faith_based"}
    second = expected_approaches(site, changed)
    assert second != first
    tab_to_id(page, "faith-secular", key="Shift+Tab")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#faith-faith_based")).to_be_checked()
    wait_for_approaches(page, second)
    expect(status).to_have_text("Results updated")
    # Taking opioids away takes "injecting" off the path at once.
    tab_to_id(page, "substances-opioids", key="Shift+Tab")
    page.keyboard.press("Space")
    expect(page.locator("#injecting-skip")).to_be_visible()
    expect(page.locator("#injecting-injects")).to_be_hidden()
    page.keyboard.press("Space")
    expect(page.locator("#injecting-does_not_inject")).to_be_visible()

    # Copy the summary for the case notes.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = page.locator(".js-copy")
    expect(copy).to_be_visible()
    summary = page.locator("#guide-summary").input_value()
    assert summary.startswith("Conversation on ") and "Language of the person: Spanish" in summary
    tab_far(page, "Copy the summary")
    page.keyboard.press("Enter")
    expect(status).to_have_text("Summary copied")
    assert page.evaluate("navigator.clipboard.readText()") == summary

    # Record the conversation, with the caller's consent.
    tab_to_id(page, "record-consent")
    page.keyboard.press("Space")
    type_into(page, "record-note", "Talked about treatment options; sent the handout.")
    tab_far(page, "Record this conversation")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    reference = site.path_of(page.url).rsplit("/", 1)[1]
    assert site.path_of(page.url) == f"/staff/requests/{reference}"
    check_page(page, "staff-conversation")
    expect(page.get_by_role("status")).to_have_text("The conversation is recorded. It is in the inbox under Handled.")
    expect(page.locator("main")).to_contain_text(f"Conversation recorded by {username}")
    stored = site.app.extensions["services"].callbacks.get(reference)
    assert stored.status == "handled" and stored.handled_by == username
    assert stored.details["summary"]["answers"]["faith"] == "faith_based"


def test_the_guide_without_javascript_uses_the_button(open_page, site, check_page, username):
    page = open_page(javascript=False)
    open_the_guide(page, site, check_page, username)
    check_page(page, "staff-guide")
    # Only part of it: the button shows what is still to answer.
    answer_with_keyboard(page, site, {"who": "someone_else", "country": "GB"}, live=False)
    expect(page.locator("#guide-results")).to_contain_text("The results appear here as you answer")
    press_button(page, "Update results")
    assert site.path_of(page.url) == "/staff/guide"
    check_page(page, "staff-guide-error")
    expect(page.locator("#error-summary")).to_contain_text("Danger right now: Select yes if there is danger now")
    expect(page.locator("#guide-results")).to_contain_text("Still to answer: Danger right now")
    expect(page.locator("#country-prompt")).to_have_text(
        "Ask: which country are they in? It is fine if you would rather not say."
    )

    # The rest, then "Update results" again. (Its access key, Alt+U, cannot be pressed from
    # here: Chromium does not act on access keys in the key events Playwright sends.)
    tab_to_id(page, "country-input")
    answers = {**ANSWERS, "who": "someone_else"}
    rest = {key: value for key, value in answers.items() if key not in ("who", "country")}
    answer_with_keyboard(page, site, rest, live=False)
    press_button(page, "Update results")
    assert site.path_of(page.url) == "/staff/guide"
    check_page(page, "staff-guide-results")
    ids = page.evaluate(PANEL_APPROACHES)
    assert ids == expected_approaches(site, answers)
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(page.locator(".js-copy")).to_be_hidden()
    # Recording without the caller's consent is refused, and nothing is stored.
    before = site.app.extensions["services"].callbacks.count()
    tab_far(page, "Record this conversation")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page, "staff-guide-record-error")
    expect(page.locator("#error-summary")).to_contain_text("Tick the box to confirm that the caller agreed")
    assert site.app.extensions["services"].callbacks.count() == before
