"""The town field's suggestions with the keyboard only: the ARIA 1.2 combobox pattern."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.keyboard import assert_focus_visible, tab_to_id, tab_to_text

pytestmark = pytest.mark.browser


def to_the_town_question(page: Page, wizard) -> None:
    wizard.start(page)
    for question_id, value in (("who", "myself"), ("country", "US"), ("danger", "not_now"), ("subdivision", "")):
        wizard.answer(page, question_id, value, "myself")
    assert wizard.path(page) == "/questions/town"


def test_suggestions_are_chosen_with_the_arrows_and_enter(page: Page, wizard, check_page) -> None:
    to_the_town_question(page, wizard)
    check_page(page)
    sent = []
    page.on("request", lambda request: sent.append(request) if "suggestions" in request.url else None)
    town = page.locator("#town-input")
    expect(town).to_have_attribute("role", "combobox")
    expect(town).to_have_attribute("aria-expanded", "false")
    tab_to_id(page, "town-input")
    assert_focus_visible(page)
    page.keyboard.type("Springfi")
    listbox = page.locator("#town-input-listbox")
    expect(listbox).to_be_visible()
    expect(town).to_have_attribute("aria-expanded", "true")
    expect(town).to_have_attribute("aria-controls", "town-input-listbox")
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(page.locator("[role='status']", has_text="Suggestions found")).to_have_count(1)
    check_page(page, "town-suggestions-open")  # axe, with the list open
    # The text went in a POST body, never in the address.
    assert sent and all(r.method == "POST" and "Springfi" not in r.url for r in sent)
    assert "Springfi" in (sent[-1].post_data or "")

    page.keyboard.press("ArrowDown")
    first = options.nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(town).to_have_attribute("aria-activedescendant", "town-input-listbox-0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")
    label = first.inner_text()
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(town).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")  # opens the list again
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # chooses, and does not send the form
    expect(listbox).to_be_hidden()
    assert wizard.path(page) == "/questions/town"
    expect(town).to_have_value(label.split(",")[0])

    tab_to_text(page, "Continue", "BUTTON")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert wizard.path(page) == "/questions/substances"
    check_page(page)
