"""The call-back request in a real browser: keyboard only, without JavaScript, and
with the error states a person can meet. Every page goes through axe (check_page)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.keyboard import assert_focus_visible, focused, press_until, tab_to_id, tab_to_text
from tests.support.keyboard import choose_radio as keyboard_choose_radio

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")


def stored(site, reference: str):
    request = site.app.extensions["services"].callbacks.get(reference)
    assert request is not None, f"{reference} is not in the database"
    return request


def reference_shown(page: Page) -> str:
    text = page.locator(".reference").first.inner_text().strip()
    assert REFERENCE.match(text), text
    return text


def choose_radio(page: Page, name: str, code: str) -> None:
    keyboard_choose_radio(page, name, code, id_prefix="callback-")


def type_into(page: Page, element_id: str, text: str) -> None:
    tab_to_id(page, element_id)
    page.keyboard.type(text)


def test_a_call_back_request_with_the_keyboard_only(page: Page, site, check_page) -> None:
    page.goto("/reach-out")
    check_page(page)
    type_into(page, "callback-name", "Alex")
    assert_focus_visible(page)
    choose_radio(page, "contact_method", "text")
    type_into(page, "callback-phone", "+44 7911 123456")
    type_into(page, "callback-email", "alex@example.org")
    choose_radio(page, "best_time", "evening")
    # The language radios start on the page's language; one arrow moves to the next.
    press_until(page, lambda el: el["name"] == "language" and el["checked"], "the chosen language")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#callback-language-es")).to_be_checked()
    choose_radio(page, "leave_message", "no")
    choose_radio(page, "say_who", "yes")
    choose_radio(page, "for_whom", "someone_else")
    choose_radio(page, "whose_details", "mine")
    type_into(page, "callback-message", "Please ask for Alex.")
    assert_focus_visible(page)
    tab_to_id(page, "callback-consent")
    page.keyboard.press("Space")
    expect(page.locator("#callback-consent")).to_be_checked()
    assert_focus_visible(page)
    # The trap field for form-filling scripts is never reached with Tab.
    tab_to_text(page, "Send my request", "BUTTON")
    assert focused(page)["id"] != "callback-website"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(site.url("/reach-out/requested"))
    check_page(page)
    reference = reference_shown(page)
    details = stored(site, reference).details
    assert details["name"] == "Alex"
    assert details["phone"] == "+447911123456"
    assert details["language"] == "es" and details["contact_method"] == "text"
    assert (details["for_whom"], details["whose_details"]) == ("someone_else", "mine")


# Each row: what a person fills in (label -> value; True ticks a box or picks a radio), and
# the error messages they should see (none: the request is sent).
CASES = [
    pytest.param(
        {
            "Your name or a nickname": "Jo",
            "How would you like us to contact you?": "Phone call",
            "Morning": True,
            "Is it safe to leave a message?": "No",
            "Can we say we are calling from World Assistance?": "No",
            "Who is the help for?": "For me",
        },
        [
            "Enter a phone number for a call or a text message, or choose email",
            "Tick the box to agree that we may store your request",
        ],
        id="no-contact-no-consent",
    ),
    pytest.param(
        {
            "Your name or a nickname": "Jo",
            "How would you like us to contact you?": "Phone call",
            "Phone number (optional if you give an email address)": "0791112",
            "Is it safe to leave a message?": "Yes",
            "Who is the help for?": "For me",
            "I agree": True,
        },
        [
            "Enter the phone number with its country code, like +44 7700 900123",
            "Select the best time to contact you",
            "Select whether we can say where we are calling from",
        ],
        id="bad-phone-missing-choices",
    ),
    pytest.param(
        {
            "Your name or a nickname": "Jo",
            "How would you like us to contact you?": "Email",
            "Email address (optional if you give a phone number)": "jo@example.org",
            "Any time": True,
            "Is it safe to leave a message?": "Yes",
            "Can we say we are calling from World Assistance?": "Yes",
            "Who is the help for?": "For me",
            "I agree": True,
        },
        [],
        id="email-only",
    ),
]


def fill(page: Page, fields: dict) -> None:
    for label, value in fields.items():
        if label.endswith("?"):
            page.get_by_role("group", name=label).get_by_label(value, exact=True).check()
        elif value is True:
            page.get_by_label(label).check()
        else:
            page.get_by_label(label, exact=True).fill(value)


@pytest.mark.parametrize(("fields", "errors"), CASES)
def test_call_back_form_without_javascript(open_page, site, check_page, fields, errors) -> None:
    page = open_page(javascript=False)
    page.goto("/reach-out")
    check_page(page)
    before = site.app.extensions["services"].callbacks.count()
    fill(page, fields)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()
    check_page(page)
    if errors:
        expect(page).to_have_title(re.compile(r"^Error: "))
        summary = page.locator("#error-summary li")
        assert summary.all_inner_texts() == errors
        assert site.app.extensions["services"].callbacks.count() == before
        # What was typed is still there.
        expect(page.get_by_label("Your name or a nickname")).to_have_value(fields["Your name or a nickname"])
    else:
        expect(page).to_have_url(site.url("/reach-out/requested"))
        assert stored(site, reference_shown(page)).details["email"] == "jo@example.org"


def test_errors_are_announced_and_lead_to_their_field(page: Page, check_page) -> None:
    page.goto("/reach-out")
    check_page(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()
    check_page(page)
    expect(page.locator("#error-summary")).to_be_focused()
    tab_to_text(page, "Enter a name or nickname we can ask for", "A")
    page.keyboard.press("Enter")
    expect(page.locator("#callback-name")).to_be_focused()


def test_after_sending_the_reach_out_page_shows_the_reference(page: Page, check_page) -> None:
    page.goto("/reach-out")
    fill(
        page,
        {
            "Your name or a nickname": "Sam",
            "How would you like us to contact you?": "Phone call",
            "Phone number (optional if you give an email address)": "+44 7911 123456",
            "Any time": True,
            "Is it safe to leave a message?": "Yes",
            "Can we say we are calling from World Assistance?": "Yes",
            "Who is the help for?": "For me",
            "I agree": True,
        },
    )
    check_page(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my request").click()
    check_page(page)
    reference = reference_shown(page)
    # Back to the form: it says a request was already sent.
    with page.expect_navigation():
        page.get_by_role("link", name="Back", exact=True).click()
    check_page(page, "reach-out-after-request")
    expect(page.get_by_text(f"Your reference is {reference}.")).to_be_visible()
