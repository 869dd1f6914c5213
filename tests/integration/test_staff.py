"""The staff console's sign-in, sessions and cookies, through the test client with CSRF on.

Also home to the helpers the other staff test modules use: an app with its own
database (so counts are predictable), accounts made through the accounts module
with a small scrypt cost, and an authenticator that computes codes with pyotp.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from wizard import create_app
from wizard.storage.audit import recent
from wizard.storage.models import StaffSession, StaffUser, utcnow

from .pages import Browser

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
            "CALLBACK_RATE_LIMIT": "1000 per hour",
            **overrides,
        }
    )


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


def create_account(app, username: str = "alice", password: str = PASSWORD) -> None:
    app.extensions["staff_accounts"].create(username, password)


class Authenticator:
    """The person's phone: the code for now, then the next step's, never one the server has seen."""

    def __init__(self, secret: str):
        self.totp = pyotp.TOTP(secret)
        self.last: int | None = None

    def code(self) -> str:
        now = int(time.time()) // 30
        step = now if self.last is None or self.last < now else self.last + 1
        # The server accepts one step either side of now; a test needing more should wait.
        assert step <= now + 1, "no unused code in the accepted window"
        self.last = step
        return self.totp.generate_otp(step)


def secret_on(page) -> str:
    match = re.search(r'id="secret">([A-Z2-7 ]+)</code>', page.html)
    assert match, f"no secret on {page.url}"
    return match.group(1).replace(" ", "")


def submit_password(browser: Browser, username: str = "alice", password: str = PASSWORD):
    page = browser.get("/staff/sign-in")
    return browser.post(
        "/staff/sign-in", data={"csrf_token": page.csrf_token(), "username": username, "password": password}
    )


def enrol(browser: Browser, username: str = "alice", password: str = PASSWORD) -> Authenticator:
    """First sign-in: password, then set up the authenticator. Ends on the inbox."""
    page = submit_password(browser, username, password)
    assert browser.history[-1] == "/staff/enrol", page.text()
    phone = Authenticator(secret_on(page))
    page = browser.post("/staff/enrol", data={"csrf_token": page.csrf_token(), "code": phone.code()})
    assert browser.history[-1] == "/staff", page.text()
    return phone


def sign_in(browser: Browser, phone: Authenticator, username: str = "alice", password: str = PASSWORD):
    page = submit_password(browser, username, password)
    assert browser.history[-1] == "/staff/sign-in/code", page.text()
    page = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": phone.code()})
    assert browser.history[-1] == "/staff", page.text()
    return page


def sign_out(browser: Browser, page):
    return browser.post("/staff/sign-out", data={"csrf_token": page.csrf_token()})


def signed_in(app, username: str = "alice") -> Browser:
    create_account(app, username)
    browser = Browser(app.test_client())
    enrol(browser, username)
    return browser


def audit_actions(app) -> list[tuple[str, str, str | None, str]]:
    return [(e.actor, e.action, e.target, e.detail) for e in reversed(recent(app.extensions["database"]))]


def error_summary(page) -> str:
    assert page.has_error_summary(), f"no error summary on {page.url}"
    summary = page.html.split('id="error-summary"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", summary).split())


# --- signing in ---------------------------------------------------------------------------------------------------


def test_first_sign_in_sets_up_the_authenticator(app, browser):
    create_account(app)
    page = submit_password(browser)
    assert browser.history[-1] == "/staff/enrol"
    assert page.h1 == "Set up your authenticator app"
    assert 'src="/staff/enrol/qr.svg"' in page.html
    # The QR code is an SVG image from our own origin, holding the same secret.
    qr = browser.client.get("/staff/enrol/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    svg = qr.get_data(as_text=True)
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert qr.headers["Cache-Control"] == "no-store"
    # The code field is made for one-time codes.
    code_input = next(i for i in page.parsed.inputs if i.get("id") == "code")
    assert code_input["autocomplete"] == "one-time-code" and code_input["inputmode"] == "numeric"
    phone = Authenticator(secret_on(page))
    # A wrong code first: an error summary, and the same secret shown again.
    wrong = browser.post("/staff/enrol", data={"csrf_token": page.csrf_token(), "code": "12345x"})
    assert wrong.title.startswith("Error: Set up your authenticator app")
    assert "That code is not right" in error_summary(wrong)
    assert secret_on(wrong) == phone.totp.secret
    page = browser.post("/staff/enrol", data={"csrf_token": wrong.csrf_token(), "code": phone.code()})
    assert browser.history[-1] == "/staff"
    assert "Signed in as alice" in page.text()
    # Done: the enrolment pages are no longer there.
    assert browser.client.get("/staff/enrol/qr.svg").status_code == 303
    actions = [a[1] for a in audit_actions(app)]
    assert actions[-4:] == ["sign-in failed", "second factor set up", "signed in", "viewed inbox"]


def test_later_sign_ins_ask_for_a_code(app, browser):
    create_account(app)
    phone = enrol(browser)
    sign_out(browser, browser.get("/staff"))
    page = submit_password(browser)
    assert browser.history[-1] == "/staff/sign-in/code"
    assert page.h1 == "Enter your security code"
    # No enrolment this time: neither the QR image nor its words (the page's random
    # tokens may contain the letters "QR", so look for the whole things).
    assert 'class="staff-qr"' not in page.html and "QR code" not in page.text()
    sign_in_page = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": phone.code()})
    assert browser.history[-1] == "/staff" and "Signed in as alice" in sign_in_page.text()


def test_the_sign_in_form_helps_password_managers(browser):
    page = browser.get("/staff/sign-in")
    inputs = {i.get("id"): i for i in page.parsed.inputs}
    assert inputs["username"]["autocomplete"] == "username"
    assert inputs["password"]["autocomplete"] == "current-password" and inputs["password"]["type"] == "password"
    assert '<html lang="en" dir="ltr">' in page.html
    assert "quick-exit" not in page.html and 'class="crisis"' not in page.html
    assert "This console shows the requests for World Assistance" in page.text()


def test_a_code_cannot_be_used_twice(app, browser):
    create_account(app)
    page = submit_password(browser)
    phone = Authenticator(secret_on(page))
    code = phone.code()
    browser.post("/staff/enrol", data={"csrf_token": page.csrf_token(), "code": code})
    sign_out(browser, browser.get("/staff"))
    page = submit_password(browser)
    page = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": code})
    assert browser.history[-1] == "/staff/sign-in/code"
    assert "That code is not right" in error_summary(page)


def test_empty_fields_are_named(browser):
    page = browser.get("/staff/sign-in")
    page = browser.post("/staff/sign-in", data={"csrf_token": page.csrf_token(), "username": " ", "password": ""})
    assert error_summary(page) == "There is a problem Enter your username Enter your password"
    assert 'href="#username"' in page.html and 'href="#password"' in page.html


def test_failures_look_the_same_whether_or_not_the_username_exists(app, browser):
    create_account(app)
    create_account(app, "bob")
    app.extensions["staff_accounts"].disable("bob")

    def failure(username, password):
        page = submit_password(browser, username, password)
        assert browser.history[-1] == "/staff/sign-in"
        assert page.title.startswith("Error: Sign in")
        assert f'value="{username}"' in page.html
        # Whatever the reason, the very same page (but for the CSRF token and the name typed).
        return re.sub(r'value="[^"]*"', "", page.html), error_summary(page)

    unknown = failure("nobody", PASSWORD)
    wrong_password = failure("alice", "not the password at all")
    disabled = failure("bob", PASSWORD)
    assert GENERIC_FAILURE in unknown[1]
    assert unknown[1] == wrong_password[1] == disabled[1]
    assert unknown[0] == wrong_password[0] == disabled[0]
    for _ in range(4):
        failure("alice", "still not the password")
    locked = failure("alice", PASSWORD)
    assert locked[1] == unknown[1]
    logged = audit_actions(app)
    assert ("unknown", "sign-in failed", None, "unknown username") in logged
    assert ("alice", "sign-in failed", None, "wrong password") in logged
    assert ("alice", "locked", None, "5 failed attempts; locked for 15 minutes") in logged
    assert ("alice", "sign-in failed", None, "account locked") in logged
    assert not [a for a in logged if "nobody" in a[0]]


def test_the_lock_lifts_after_15_minutes(app, browser):
    create_account(app)
    phone = enrol(browser)
    sign_out(browser, browser.get("/staff"))
    for _ in range(5):
        submit_password(browser, "alice", "not the password at all")
    page = submit_password(browser)
    assert GENERIC_FAILURE in error_summary(page)
    with app.extensions["database"].transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "alice"))
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        user.locked_until = utcnow() - timedelta(seconds=1)
    sign_in(browser, phone)


def test_wrong_codes_lock_the_account_and_send_the_person_back(app, browser):
    create_account(app)
    phone = enrol(browser)
    sign_out(browser, browser.get("/staff"))
    page = submit_password(browser)
    for attempt in range(5):
        page = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": "000000"})
        if attempt < 4:
            assert "That code is not right" in error_summary(page)
    assert browser.history[-1] == "/staff/sign-in"
    assert "locked" in page.text() and not page.has_error_summary()
    page = submit_password(browser)
    assert GENERIC_FAILURE in error_summary(page)
    assert phone.last is not None


def test_the_half_signed_in_state_lasts_5_minutes(app, browser):
    create_account(app)
    page = submit_password(browser)
    assert browser.history[-1] == "/staff/enrol"
    accounts = app.extensions["staff_accounts"]
    real_clock = accounts.clock
    accounts.clock = lambda: real_clock() + timedelta(minutes=5, seconds=5)
    try:
        page = browser.post("/staff/enrol", data={"csrf_token": page.csrf_token(), "code": "123456"})
    finally:
        accounts.clock = real_clock
    assert browser.history[-1] == "/staff/sign-in"
    assert "took longer than 5 minutes" in page.text()


def test_the_code_page_needs_the_password_first(browser):
    for url in ("/staff/sign-in/code", "/staff/enrol", "/staff/enrol/qr.svg"):
        response = browser.client.get(url)
        assert response.status_code == 303 and response.location == "/staff/sign-in", url


def test_sign_in_is_rate_limited_with_a_friendly_page(tmp_path):
    app = make_app(tmp_path, STAFF_SIGNIN_RATE_LIMIT="3 per minute", RATELIMIT_ENABLED=True)
    browser = Browser(app.test_client())
    for _ in range(3):
        page = submit_password(browser, "nobody", PASSWORD)
        assert page.status == 200
    page = submit_password(browser, "nobody", PASSWORD)
    assert page.status == 429
    assert page.h1 == "Too many attempts"
    assert "Wait a minute" in page.text()
    assert "Staff console" in page.title and "quick-exit" not in page.html
    # Only posting counts: the form itself still shows.
    assert browser.get("/staff/sign-in").status == 200


# --- the session cookie ---------------------------------------------------------------------------------------------


def staff_cookie_header(response) -> str:
    # Outside development the name has the __Secure- prefix (see test_cookies.py).
    cookies = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith(("wizard_staff=", "__Secure-wizard_staff="))
    ]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_the_staff_cookie_is_strict_and_kept_to_staff_pages(app):
    client = app.test_client()
    header = staff_cookie_header(client.get("/staff/sign-in"))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    assert attributes["httponly"] == "HttpOnly"
    assert attributes["path"] == "Path=/staff"
    assert attributes["samesite"] == "SameSite=Strict"
    # No expiry date: it ends with the browser session (and the server ends it sooner).
    assert "expires" not in attributes and "max-age" not in attributes
    # On a developer's machine (plain http) it cannot be Secure.
    assert "secure" not in attributes
    # The public pages keep their own cookie.
    public = [c for c in client.get("/?lang=en").headers.getlist("Set-Cookie") if c.startswith("wizard=")]
    assert public and "Path=/;" in public[0] and "SameSite=Lax" in public[0]


def test_the_staff_cookie_is_secure_outside_development(tmp_path):
    app = make_app(tmp_path, DEVELOPMENT=False, SESSION_COOKIE_SECURE=True)
    header = staff_cookie_header(app.test_client().get("/staff/sign-in", base_url="https://localhost"))
    assert "; Secure" in header and "SameSite=Strict" in header and "Path=/staff" in header


def test_a_small_scrypt_cost_is_refused_in_production(tmp_path):
    with pytest.raises(RuntimeError, match="STAFF_SCRYPT_N"):
        create_app(
            {
                "SECRET_KEY": "test-secret",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'staff.sqlite3'}",
                "DEVELOPMENT": False,
                "STAFF_SCRYPT_N": 2**10,
            }
        )


def test_the_cookie_holds_only_a_token_kept_hashed_in_the_database(app):
    browser = signed_in(app)
    value = browser.client.get_cookie("wizard_staff", path="/staff").value
    assert "alice" not in value
    with app.extensions["database"].transaction() as session:
        rows = session.scalars(select(StaffSession)).all()
        assert len(rows) == 1 and len(rows[0].id) == 64
        assert rows[0].id not in value


def test_sessions_end_after_30_idle_minutes(app):
    browser = signed_in(app)
    database = app.extensions["database"]
    with database.transaction() as session:
        session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    # Still fine, and the use renews it.
    assert browser.get("/staff").h1 == "Open call-back requests"
    with database.transaction() as session:
        assert session.scalar(select(StaffSession)).last_seen_at > utcnow() - timedelta(minutes=1)
        session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    page = browser.get("/staff/audit")
    assert browser.history[-1] == "/staff/sign-in"
    assert "You were signed out after 30 minutes without activity" in page.text()
    with database.transaction() as session:
        assert session.scalars(select(StaffSession)).all() == []
    assert ("alice", "signed out", None, "after inactivity") in audit_actions(app)
    # The message is shown once.
    assert "30 minutes" not in browser.get("/staff/sign-in").text().split("Sign in to see")[0]


def test_signing_out_revokes_the_session(app):
    browser = signed_in(app)
    client = browser.client
    old_cookie = client.get_cookie("wizard_staff", path="/staff").value
    page = sign_out(browser, browser.get("/staff"))
    assert browser.history[-1] == "/staff/sign-in"
    assert "You have signed out." in page.text()
    with app.extensions["database"].transaction() as session:
        assert session.scalars(select(StaffSession)).all() == []
    # The old cookie, sent again (copied, say), opens nothing.
    client.set_cookie("wizard_staff", old_cookie, path="/staff")
    response = client.get("/staff")
    assert response.status_code == 303 and response.location == "/staff/sign-in"
    assert ("alice", "signed out", None, "") in audit_actions(app)


def public_answers(app, client) -> dict:
    """What the public cookie holds. Its signature is renewed (with a new timestamp) while the
    public pages are used, so compare the content, not the raw value."""
    value = client.get_cookie("wizard").value
    return app.session_interface.get_signing_serializer(app).loads(value)["answers"]


def test_public_answers_and_staff_sign_in_do_not_touch_each_other(app):
    create_account(app)
    browser = Browser(app.test_client())
    client = browser.client
    browser.answer(browser.get("/questions"), "myself")
    public_before = client.get_cookie("wizard").value
    assert public_answers(app, client) == {"who": "myself"}
    phone = enrol(browser)
    # Signing in never sent or changed the public cookie.
    assert client.get_cookie("wizard").value == public_before
    staff_before = client.get_cookie("wizard_staff", path="/staff").value
    # Using the public pages does not change the staff cookie...
    browser.get("/check-answers")
    assert client.get_cookie("wizard_staff", path="/staff").value == staff_before
    # ...and signing out of the console does not clear the answers.
    sign_out(browser, browser.get("/staff"))
    assert public_answers(app, client) == {"who": "myself"}
    assert browser.get("/questions/who").html.count("checked") == 1
    sign_in(browser, phone)


def test_a_stale_staff_form_gets_a_staff_page_and_keeps_the_public_answers(app):
    create_account(app)
    browser = Browser(app.test_client())
    browser.answer(browser.get("/questions"), "myself")
    public_before = browser.client.get_cookie("wizard").value
    browser.get("/staff/sign-in")
    page = browser.post("/staff/sign-in", data={"csrf_token": "forged", "username": "alice", "password": PASSWORD})
    assert page.status == 400
    assert page.h1 == "Your session expired"
    assert 'href="/staff/sign-in"' in page.html and "Your answers were cleared" not in page.html
    assert browser.client.get_cookie("wizard").value == public_before
