"""The staff console in a real browser, with the keyboard only: setting up an account
through its enrolment link (password and authenticator), opening a request, marking it
handled, reading the audit log, signing in again, and the account pages.

Every page goes through check_page (axe at 375 and 1280 px, screenshots). Accounts and
requests are made straight in the live server's database.
"""

from __future__ import annotations

import re
import secrets
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.support.keyboard import assert_focus_visible, press_until
from tests.support.layout import assert_no_horizontal_scroll
from tests.support.staff_browser import (
    DETAILS,
    LINKS,
    PASSWORD,
    enrol_with_keyboard,
    follow_link,
    new_account,
    press_button,
    type_into,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(site):
    """A new account and an open request in the live server's database."""
    username = new_account(site, "robin")
    reference, _new = site.app.extensions["services"].callbacks.submit(DETAILS, form_key=secrets.token_urlsafe(24))
    return username, reference


def sign_in_with_keyboard(page: Page, site, check_page, username: str, secret: str) -> None:
    page.goto("/staff/sign-in")
    type_into(page, "username", username)
    type_into(page, "password", PASSWORD)
    press_button(page, "Continue")
    assert site.path_of(page.url) == "/staff/sign-in/code"
    check_page(page, "staff-code")
    # The code of the next step: the one for now was used to set up.
    type_into(page, "code", pyotp.TOTP(secret).at(time.time() + 30))
    press_button(page, "Sign in")
    assert site.path_of(page.url) == "/staff"


def test_sign_in_handle_a_request_and_read_the_audit_log_with_the_keyboard_only(page: Page, site, check_page, staff):
    username, reference = staff
    page.goto("/staff")
    assert site.path_of(page.url) == "/staff/sign-in"
    check_page(page, "staff-sign-in")
    secret = enrol_with_keyboard(page, site, check_page, username)
    check_page(page, "staff-inbox")
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()
    assert_no_horizontal_scroll(page, "the inbox")

    # The table scrolls inside its own region, which the keyboard can reach.
    region = press_until(page, lambda el: el["tag"] == "DIV", "the table's scrolling region")
    assert reference in region["text"]
    assert_focus_visible(page)
    follow_link(page, reference)

    assert site.path_of(page.url) == f"/staff/requests/{reference}"
    check_page(page, "staff-request")
    assert_no_horizontal_scroll(page, "a request")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    expect(page.locator("main")).to_contain_text("Robin Example")
    expect(page.locator("main")).to_contain_text("+44 7911 123456")
    type_into(page, "note", "Called back; booked an appointment.")
    assert_focus_visible(page)
    press_button(page, "Mark as handled")

    assert site.path_of(page.url) == f"/staff/requests/{reference}"
    check_page(page, "staff-request-handled")
    expect(page.get_by_role("status")).to_have_text("The request is marked as handled.")
    expect(page.locator(".summary-list__row", has_text="Handled by")).to_contain_text(username)
    assert site.app.extensions["services"].callbacks.get(reference).status == "handled"

    follow_link(page, "Audit log")
    assert site.path_of(page.url) == "/staff/audit"
    check_page(page, "staff-audit")
    assert_no_horizontal_scroll(page, "the audit log")
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text(username)
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Handled").filter(has_text=reference)).to_have_count(1)

    follow_link(page, "Export")
    assert site.path_of(page.url) == "/staff/export"
    check_page(page, "staff-export")

    press_button(page, "Sign out")
    assert site.path_of(page.url) == "/staff/sign-in"
    check_page(page, "staff-signed-out")
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    page.goto("/staff")
    assert site.path_of(page.url) == "/staff/sign-in"
    check_page(page, "staff-sign-in")
    # The set-up link worked once.
    page.goto(LINKS[username])
    check_page(page, "staff-enrol-unavailable")
    expect(page.get_by_role("heading", level=1)).to_have_text("This set-up link does not work")
    sign_in_with_keyboard(page, site, check_page, username, secret)

    follow_link(page, "Your account")
    assert site.path_of(page.url) == "/staff/account"
    check_page(page, "staff-account")
    expect(page.locator("tbody")).to_contain_text("(this session)")
    follow_link(page, "Change your password")
    check_page(page, "staff-password")
    type_into(page, "current_password", PASSWORD)
    type_into(page, "new_password", "password1234")
    type_into(page, "new_password_again", "password1234")
    press_button(page, "Change password")
    check_page(page, "staff-password-error")
    expect(page.locator("#error-summary")).to_contain_text("one of the most common ones")


def test_errors_and_other_staff_pages(open_page, site, check_page, staff):
    username, reference = staff
    page = open_page()
    page.goto("/staff/sign-in")
    check_page(page, "staff-sign-in")
    press_button(page, "Continue")  # nothing typed
    check_page(page, "staff-sign-in-error")
    assert page.title().startswith("Error: Sign in")
    follow_link(page, "Enter your username")
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type(username)
    type_into(page, "password", "not the password")
    press_button(page, "Continue")
    check_page(page, "staff-sign-in-error")
    expect(page.locator("#error-summary")).to_contain_text("The username or password is not right")

    enrol_with_keyboard(page, site, check_page, username)
    check_page(page, "staff-inbox")
    for path, name in (
        ("/staff?status=all", "staff-inbox-all"),
        (f"/staff?reference={reference.lower()}", "staff-search"),
        ("/staff?reference=nothing", "staff-search-nothing"),
        ("/staff/requests/ZZZZ-ZZZZ", "staff-not-found"),
    ):
        page.goto(path)
        check_page(page, name)
        assert_no_horizontal_scroll(page, path)
    page.goto(f"/staff/requests/{reference}")
    check_page(page, "staff-request")
    type_into(page, "note", "x" * 5 + "\u0007")
    page.locator("#note").fill("x" * 1000)
    page.locator("#note").evaluate("el => { el.removeAttribute('maxlength'); el.value += 'yy'; }")
    press_button(page, "Mark as handled")
    check_page(page, "staff-request-error")
    expect(page.locator("#error-summary")).to_contain_text("The note must be 1,000 characters or fewer")
    assert re.match(r"^Error: Request ", page.title())
