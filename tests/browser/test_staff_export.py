"""The export form with the keyboard only: a reason and a fresh code, errors explained, then the
file; and a request that cannot be opened, as staff see it. Every page goes through check_page."""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from tests.support.staff_browser import DETAILS, enrol_with_keyboard, follow_link, new_account, press_button, type_into
from wizard.storage.models import CallbackRequest, StaffUser

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(site):
    """A new account and two open requests, the second of which cannot be opened."""
    username = new_account(site, "robin")
    store = site.app.extensions["services"].callbacks
    intact, _new = store.submit(DETAILS, form_key=secrets.token_urlsafe(24))
    broken, _new = store.submit(DETAILS, form_key=secrets.token_urlsafe(24))
    with site.app.extensions["services"].database.transaction() as session:
        rows = {row.reference: row for row in session.scalars(select(CallbackRequest)).all()}
        rows[broken].sealed = rows[intact].sealed  # a value moved between records
    yield username, broken
    # The live server is shared by the whole session: other tests should not meet this row.
    with site.app.extensions["services"].database.transaction() as session:
        session.execute(delete(CallbackRequest).where(CallbackRequest.reference.in_([intact, broken])))


def fresh_code(site, monkeypatch, username: str) -> str:
    """The next code of the person's authenticator: the server's clock moves on one step."""
    accounts = site.app.extensions["services"].staff_accounts
    with site.app.extensions["services"].database.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        secret = accounts.sealer.open(user.totp_sealed, bound_to=f"staff-totp:{user.id}")["secret"]
    moment = accounts.clock() + timedelta(seconds=30)
    monkeypatch.setattr(accounts, "clock", lambda: moment)
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=UTC))


def test_export_asks_for_a_reason_and_a_code_with_the_keyboard_only(page: Page, site, check_page, staff, monkeypatch):
    username, broken = staff
    enrol_with_keyboard(page, site, check_page, username)
    check_page(page, "staff-inbox-unreadable")
    expect(page.locator("tbody")).to_contain_text(f"cannot be opened (a key or record problem). Reference {broken}")
    page.goto(f"/staff/requests/{broken}")
    check_page(page, "staff-request-unreadable")
    expect(page.locator("#unreadable")).to_contain_text(
        f"cannot be opened (a key or record problem). Reference {broken}"
    )

    follow_link(page, "Export")
    check_page(page, "staff-export")
    press_button(page, "Download CSV file")  # nothing typed
    check_page(page, "staff-export-error")
    assert page.title().startswith("Error: Export requests")
    expect(page.locator("#error-summary")).to_contain_text("Enter why you need this export")
    follow_link(page, "Enter why you need this export")
    expect(page.locator("#reason")).to_be_focused()
    page.keyboard.type("weekly call-back list")
    type_into(page, "code", "000000")
    press_button(page, "Download CSV file")
    check_page(page, "staff-export-wrong-code")
    expect(page.locator("#error-summary")).to_contain_text("The code is not right")
    expect(page.locator("#reason")).to_have_value("weekly call-back list")

    type_into(page, "code", fresh_code(site, monkeypatch, username))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.startswith("callback-requests-open-")
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Robin Example" in body and broken in body
