"""The whole journey with the keyboard only: Tab, Shift+Tab, arrows, Space and Enter.

Nothing here clicks, fills or checks through Playwright: every choice is made
with page.keyboard, so a control that cannot be reached or used from the
keyboard fails the test. Focus must be visible at each kind of control.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.keyboard import (
    assert_focus_visible,
    choose_checkboxes,
    choose_radio,
    focused,
    tab_to_id,
    tab_to_text,
)

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
    "faith": "no_preference",
    "setting": "outpatient",
    "medication": "want_to_know_more",
    "previous_treatment": "finished",
    "support": ["online"],
    "needs": [],
}


def submit(page: Page) -> None:
    tab_to_text(page, "Continue", "BUTTON")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_whole_journey_with_the_keyboard_only(page: Page, wizard, check_page) -> None:
    page.goto("/")
    check_page(page)
    tab_to_text(page, "Start now", "A")
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    visible_checked = set()
    while wizard.path(page).startswith("/questions/"):
        question_id = wizard.path(page).rsplit("/", 1)[1]
        check_page(page)
        question = wizard.journey.by_id[question_id]
        value = ANSWERS[question_id]
        if question.kind == "country":
            tab_to_id(page, "country-input")
            assert_focus_visible(page)
            page.keyboard.type(wizard.label("country", value, "myself"))
            expect(page.locator("#country-input")).to_have_value(value)
            # Past the control to the button, and back again with Shift+Tab.
            tab_to_text(page, "Continue", "BUTTON")
            assert_focus_visible(page)
            tab_to_id(page, "country-input", key="Shift+Tab")
            expect(page.locator("#country-input")).to_have_value(value)
            visible_checked.add("select")
        elif question.kind in ("subdivision", "town"):
            # Optional, left blank: reached from the keyboard like the rest (see test_town_suggestions).
            tab_to_id(page, f"{question_id}-input")
            assert_focus_visible(page)
        elif question.kind == "multiple":
            choose_checkboxes(page, question_id, value)
            if value and "checkbox" not in visible_checked:
                assert_focus_visible(page)
                visible_checked.add("checkbox")
        else:
            choose_radio(page, question_id, value)
            if "radio" not in visible_checked:
                assert_focus_visible(page)
                visible_checked.add("radio")
        submit(page)

    assert visible_checked == {"select", "checkbox", "radio"}
    assert wizard.path(page) == "/check-answers"
    check_page(page)
    tab_to_text(page, "See results", "A")
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert wizard.path(page) == "/results"
    check_page(page, "results-keyboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your next steps")
    assert "medication-assisted-treatment" in wizard.approach_ids(page)


def test_skip_link_is_first_and_moves_to_the_main_content(page: Page, check_page) -> None:
    page.goto("/")
    check_page(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    assert_focus_visible(page)
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    # The next Tab goes into the main content, not back through the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_error_summary_takes_focus_and_its_link_moves_to_the_question(page: Page, wizard, check_page) -> None:
    page.goto("/questions")
    assert wizard.path(page) == "/questions/who"
    check_page(page)
    submit(page)  # nothing chosen
    assert wizard.path(page) == "/questions/who"
    # Needs static/wizard.js: it focuses the summary so screen readers announce it.
    expect(page.locator("#error-summary")).to_be_focused()
    check_page(page)

    tab_to_text(page, "Select who you are looking for help for", "A")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#who-myself")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#who-myself")).to_be_checked()
    submit(page)
    assert wizard.path(page) == "/questions/country"
    check_page(page)


def test_start_now_answers_to_the_keys_of_its_role(page: Page, wizard, check_page) -> None:
    """A control announced as a button must work with Space, as buttons do; a link works with Enter."""
    page.goto("/")
    check_page(page)
    tab_to_text(page, "Start now", "A")
    role = page.evaluate("document.activeElement.getAttribute('role') || 'link'")
    keys = ["Space", "Enter"] if role == "button" else ["Enter"]
    for key in keys:
        page.keyboard.press(key)
        page.wait_for_url(wizard.site.url("/questions/who"))
        check_page(page)
        if key != keys[-1]:
            page.go_back()
            assert wizard.path(page) == "/"
            tab_to_text(page, "Start now", "A")
