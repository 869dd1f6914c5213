"""Staff console helpers for the integration tests: an app with its own database and a
small scrypt cost, accounts made through the accounts module, set up through their
enrolment link as a person would, and an authenticator that computes codes with pyotp.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, timedelta

import pyotp
from werkzeug.datastructures import MultiDict

from tests.support.answers import FULL
from tests.support.pages import Browser
from wizard import create_app
from wizard.storage.audit import recent
from wizard.storage.models import utcnow
from wizard.storage.staff_accounts import TOTP_PERIOD, totp_step

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
    return "/staff/enrol/" + app.extensions["services"].staff_accounts.create(username).token


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
    return Authenticator(secret_on(page), browser.client.application.extensions["services"].staff_accounts)


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
    return [(e.actor, e.action, e.target, e.detail) for e in reversed(recent(app.extensions["services"].database))]


def error_summary(page) -> str:
    assert page.has_error_summary(), f"no error summary on {page.url}"
    summary = page.html.split('id="error-summary"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", summary).split())


# --- the console once signed in: requests, exports, the guide --------------------------------------------


DETAILS = {
    "name": "Sam Example",
    "phone": "+447911123456",
    "email": "sam@example.org",
    "contact_method": "text",
    "best_time": "evening",
    "language": "es",
    "leave_message": "no",
    "say_who": "yes",
    "for_whom": "someone_else",
    "whose_details": "theirs",
    "message": "Evenings are hard.\nPlease text first.",
}


def fresh_code(app, phone: Authenticator) -> str:
    """A code the server has not seen yet: the accounts' clock moves on one 30-second step each time."""
    accounts = app.extensions["services"].staff_accounts
    moment = accounts.clock() + timedelta(seconds=30)
    accounts.clock = lambda: moment
    return phone.totp.at(moment.replace(tzinfo=UTC))


def export(app, staff, status: str = "open", reason: str = "weekly call-back list", code: str | None = None):
    """Ask for a CSV export as the export page does: a reason and a fresh code."""
    browser, phone = staff
    page = browser.get("/staff/export")
    data = {"csrf_token": page.csrf_token(), "status": status, "reason": reason}
    data["code"] = fresh_code(app, phone) if code is None else code
    return browser.post("/staff/export.csv", data=data)


def submit(app, n: int = 0, partner: str | None = None, **details) -> str:
    """Store a request as the public form would; returns its reference."""
    matcher = app.extensions["services"].matcher
    summary = {
        "answers": FULL,
        "approaches": [m.approach.id for m in matcher.match(FULL).approaches],
        "interface_language": "es",
    }
    reference, new = app.extensions["services"].callbacks.submit(
        {**DETAILS, **details, "summary": summary}, form_key=f"test-form-key-{n:012d}", partner=partner
    )
    assert new
    return reference


def references_on(page) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/staff/requests/([0-9A-Z-]+)">', page.html)


def read_csv(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def form_data(answers: dict, **extra) -> MultiDict:
    """Answers as a browser sends the form: one field per ticked box, nothing for a blank."""
    data = MultiDict()
    for qid, value in answers.items():
        for code in value if isinstance(value, list) else [value]:
            if code:
                data.add(qid, code)
    for key, value in extra.items():
        data.add(key, value)
    return data


def record_data(page, **fields) -> MultiDict:
    """The record form on a guide page, as the browser would send it."""
    form = page.html.split('id="record-form"', 1)[1].split("</form>", 1)[0]
    data = MultiDict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    for name, value in fields.items():
        data.add(f"record-{name}", value)
    return data
