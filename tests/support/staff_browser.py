"""The staff console in a real browser: accounts set up and used with the keyboard alone."""

from __future__ import annotations

import secrets

import pyotp
from playwright.sync_api import Page, expect

from tests.support.keyboard import assert_focus_visible, focused, tab_to_id, tab_to_text

PASSWORD = "correct horse battery staple"


DETAILS = {
    "name": "Robin Example",
    "phone": "+447911123456",
    "email": "robin@example.org",
    "best_time": "morning",
    "language": "en",
    "leave_message": "yes",
    "say_who": "no",
    "for_whom": "myself",
    "message": "Mornings are best.",
    "summary": {"answers": {"who": "myself", "country": "GB"}, "approaches": [], "interface_language": "en"},
}


def type_into(page: Page, element_id: str, text: str) -> None:
    tab_to_id(page, element_id)
    page.keyboard.type(text)


def press_button(page: Page, text: str) -> None:
    tab_to_text(page, text, "BUTTON")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow_link(page: Page, text: str) -> None:
    tab_to_text(page, text, "A")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def new_account(site, prefix: str) -> str:
    """An account in the live server's database; its set-up link is kept in LINKS."""
    username = f"{prefix}-{secrets.token_hex(3)}"
    LINKS[username] = "/staff/enrol/" + site.app.extensions["services"].staff_accounts.create(username).token
    return username


def enrol_with_keyboard(page: Page, site, check_page, username: str) -> str:
    """Open the set-up link, choose the password, scan the key, enter a code. Returns the secret."""
    page.goto(LINKS[username])
    assert site.path_of(page.url).startswith("/staff/enrol/")
    check_page(page, "staff-enrol")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    expect(page.locator("main")).to_contain_text(username)
    type_into(page, "password", PASSWORD)
    assert_focus_visible(page)
    type_into(page, "password_again", PASSWORD)
    expect(page.locator("img.staff-qr")).to_be_visible()
    assert page.locator("img.staff-qr").evaluate("img => img.complete && img.naturalWidth > 0"), "QR code not shown"
    secret = page.locator("#secret").inner_text().replace(" ", "")
    type_into(page, "code", pyotp.TOTP(secret).now())
    press_button(page, "Set up and sign in")
    assert site.path_of(page.url) == "/staff"
    return secret


# Each account's set-up link, by username (the link is printed once, when it is made).
LINKS: dict[str, str] = {}
