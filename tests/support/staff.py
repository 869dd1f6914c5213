"""Staff console helpers for the integration tests: an app with its own database and a
small scrypt cost, accounts made through the accounts module, set up through their
enrolment link as a person would, and an authenticator that computes codes with pyotp.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp

from tests.integration.pages import Browser
from wizard import create_app
from wizard.staff.accounts import TOTP_PERIOD, totp_step
from wizard.storage.audit import recent
from wizard.storage.models import utcnow

PASSWORD = "correct horse battery staple"
GENERIC_FAILURE = "The username or password is not right, or the account is locked."


def make_app(tmp_path, **overrides):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'staff.sqlite3'}",
            # Only tests may use so small a cost (see test_a_small_scrypt_cost_is_refused_in_production).
            "STAFF_SCRYPT_N": 16,
            "STAFF_SIGNIN_RATE_LIMIT": "1000 per minute",
            "STAFF_SIGNIN_USERNAME_RATE_LIMIT": "1000 per minute",
            "CALLBACK_RATE_LIMIT": "1000 per hour",
            **overrides,
        }
    )


def create_account(app, username: str = "alice") -> str:
    """Make the account; returns the path of its set-up link."""
    return "/staff/enrol/" + app.extensions["staff_accounts"].create(username).token


class Authenticator:
    """The person's phone: the code for now, then the next step's, never one the server has seen.

    Given the app's accounts, it moves their clock on by one step when the codes of the
    accepted window are used up, as waiting 30 seconds would, without the wait."""

    def __init__(self, secret: str, accounts=None):
        self.totp = pyotp.TOTP(secret)
        self.accounts = accounts
        self.last: int | None = None

    def _now(self) -> int:
        return totp_step(self.accounts.clock() if self.accounts is not None else utcnow())

    def code(self) -> str:
        now = self._now()
        step = now if self.last is None or self.last < now else self.last + 1
        if step > now + 1 and self.accounts is not None:
            earlier = self.accounts.clock
            self.accounts.clock = lambda: earlier() + timedelta(seconds=TOTP_PERIOD)
            now = self._now()
        # The server accepts one step either side of now.
        assert step <= now + 1, "no unused code in the accepted window"
        self.last = step
        return self.totp.generate_otp(step)


def phone_for(browser: Browser, page) -> Authenticator:
    """An authenticator set up from the secret on an enrolment page."""
    return Authenticator(secret_on(page), browser.client.application.extensions["staff_accounts"])


def secret_on(page) -> str:
    match = re.search(r'id="secret">([A-Z2-7 ]+)</code>', page.html)
    assert match, f"no secret on {page.url}"
    return match.group(1).replace(" ", "")


def submit_password(browser: Browser, username: str = "alice", password: str = PASSWORD, **kwargs):
    page = browser.get("/staff/sign-in", **kwargs)
    return browser.post(
        "/staff/sign-in", data={"csrf_token": page.csrf_token(), "username": username, "password": password}, **kwargs
    )


def enrolment_data(page, phone: Authenticator, password: str = PASSWORD, **extra) -> dict:
    return {
        "csrf_token": page.csrf_token(),
        "password": password,
        "password_again": password,
        "code": phone.code(),
        **extra,
    }


def enrol(browser: Browser, link: str, password: str = PASSWORD) -> Authenticator:
    """First sign-in through the set-up link: choose the password, scan, enter a code. Ends on the inbox."""
    page = browser.get(link)
    assert page.h1 == "Set up your staff account", page.text()
    phone = phone_for(browser, page)
    page = browser.post(link, data=enrolment_data(page, phone, password))
    assert browser.history[-1] == "/staff", page.text()
    return phone


def sign_in(browser: Browser, phone: Authenticator, username: str = "alice", password: str = PASSWORD, **kwargs):
    page = submit_password(browser, username, password, **kwargs)
    assert browser.history[-1] == "/staff/sign-in/code", page.text()
    page = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": phone.code()}, **kwargs)
    assert browser.history[-1] == "/staff", page.text()
    return page


def sign_out(browser: Browser, page):
    return browser.post("/staff/sign-out", data={"csrf_token": page.csrf_token()})


def signed_in(app, username: str = "alice") -> Browser:
    link = create_account(app, username)
    browser = Browser(app.test_client())
    enrol(browser, link)
    return browser


def signed_in_with_phone(app, username: str = "alice") -> tuple[Browser, Authenticator]:
    link = create_account(app, username)
    browser = Browser(app.test_client())
    return browser, enrol(browser, link)


def audit_actions(app) -> list[tuple[str, str, str | None, str]]:
    return [(e.actor, e.action, e.target, e.detail) for e in reversed(recent(app.extensions["database"]))]


def error_summary(page) -> str:
    assert page.has_error_summary(), f"no error summary on {page.url}"
    summary = page.html.split('id="error-summary"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", summary).split())
