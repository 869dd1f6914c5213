"""The staff console's sign-in, enrolment links, sessions and cookies, through the test
client with CSRF on. The helpers live in tests/support/staff.py."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.support.pages import Browser
from tests.support.staff import (
    GENERIC_FAILURE,
    PASSWORD,
    Authenticator,
    audit_actions,
    create_account,
    enrol,
    enrolment_data,
    error_summary,
    make_app,
    phone_for,
    secret_on,
    sign_in,
    sign_out,
    signed_in,
    signed_in_with_phone,
    submit_password,
)
from wizard import create_app
from wizard.storage.models import StaffPendingLogin, StaffSession, StaffUser, utcnow

# Kept importable from here for modules that predate tests/support.
__all__ = ["audit_actions", "create_account", "error_summary", "make_app", "signed_in"]

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def browser_from(app, address: str, agent: str = FIREFOX) -> Browser:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    return Browser(client)


def sessions_of(app) -> int:
    with app.extensions["services"].database.transaction() as session:
        return session.scalar(select(func.count()).select_from(StaffSession))


# --- setting up through the enrolment link (H1, M4) ------------------------------------------------------------


def test_a_new_account_is_set_up_through_its_link(app, browser):
    link = create_account(app)
    page = browser.get(link)
    assert page.h1 == "Set up your staff account" and "alice" in page.text()
    assert 'src="/staff/enrol/qr.svg"' in page.html
    # The QR code is an SVG image from our own origin, for this attempt only.
    qr = browser.client.get("/staff/enrol/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    svg = qr.get_data(as_text=True)
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert qr.headers["Cache-Control"] == "no-store"
    inputs = {i.get("id"): i for i in page.parsed.inputs}
    assert inputs["code"]["autocomplete"] == "one-time-code" and inputs["code"]["inputmode"] == "numeric"
    assert inputs["password"]["autocomplete"] == "new-password" and inputs["password"]["type"] == "password"
    phone = phone_for(browser, page)
    # A wrong code first: an error summary, and the same secret shown again.
    wrong = browser.post(
        link, data={"csrf_token": page.csrf_token(), "password": PASSWORD, "password_again": PASSWORD, "code": "12345x"}
    )
    assert wrong.title.startswith("Error: Set up your staff account")
    assert "That code is not right" in error_summary(wrong)
    assert secret_on(wrong) == phone.totp.secret
    page = browser.post(link, data=enrolment_data(wrong, phone))
    assert browser.history[-1] == "/staff"
    assert "Signed in as alice" in page.text()
    # Done: the link and the set-up pages are gone.
    assert browser.client.get("/staff/enrol/qr.svg").status_code == 303
    sign_out(browser, page)
    used = browser.get(link)
    assert used.status == 404 and used.h1 == "This set-up link does not work"
    actions = [a[1] for a in audit_actions(app)]
    assert actions[-5:-1] == ["set-up failed", "second factor set up", "signed in", "viewed inbox"]
    # Later sign-ins ask for the password, then a code.
    sign_in(browser, phone)


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("password1234", "password1234", "one of the most common ones"),
        ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "repeats too few characters"),
        ("WorldAssistance2026", "WorldAssistance2026", "the organisation’s name"),
        ("alice-alice-alice", "alice-alice-alice", "your username"),
        ("too short", "too short", "at least 12 characters"),
        (PASSWORD, PASSWORD + "!", "The two passwords are not the same"),
    ],
)
def test_the_chosen_password_is_checked_and_the_link_still_works(app, browser, password, again, message):
    link = create_account(app)
    page = browser.get(link)
    phone = phone_for(browser, page)
    page = browser.post(link, data=enrolment_data(page, phone, password, password_again=again))
    assert message in error_summary(page)
    page = browser.post(link, data=enrolment_data(page, phone))
    assert browser.history[-1] == "/staff"


def test_a_seed_seen_by_someone_else_is_never_the_owners(app):
    """The H1 attack: someone opens the set-up page first, reads the secret and waits."""
    link = create_account(app)
    attacker = browser_from(app, "198.51.100.7")
    attacker_page = attacker.get(link)
    seen = secret_on(attacker_page)
    owner = browser_from(app, "192.0.2.10")
    page = owner.get(link)
    assert secret_on(page) != seen
    phone = phone_for(owner, page)
    owner.post(link, data=enrolment_data(page, phone))
    assert owner.history[-1] == "/staff"
    # The attacker's attempt cannot finish any more...
    stale = Authenticator(seen, app.extensions["services"].staff_accounts)
    late = attacker.post(link, data=enrolment_data(attacker_page, stale))
    assert late.status == 404 and late.h1 == "This set-up link does not work"
    assert attacker.get(link).status == 404
    # ...and even knowing the password, the seed they saw signs nobody in.
    page = submit_password(attacker)
    page = attacker.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": stale.code()})
    assert "That code is not right" in error_summary(page)


def test_a_password_alone_never_opens_enrolment(app, browser):
    # An account made but not set up yet; an old-style account with a password and no authenticator.
    create_account(app)
    with app.extensions["services"].database.transaction() as session:
        session.execute(update(StaffUser).values(password_hash=_hash(app, PASSWORD)))
    page = submit_password(browser)
    assert browser.history[-1] == "/staff/sign-in"
    assert GENERIC_FAILURE in error_summary(page)
    for url in ("/staff/sign-in/code", "/staff/enrol/qr.svg"):
        response = browser.client.get(url)
        assert response.status_code == 303 and response.location == "/staff/sign-in", url
    assert any(a[:2] == ("alice", "sign-in failed") and a[3].startswith("not set up yet") for a in audit_actions(app))


def _hash(app, password: str) -> str:
    from wizard.storage.staff_accounts.passwords import hash_password

    return hash_password(password, n=app.extensions["services"].staff_accounts.policy.scrypt_n)


def test_reset_totp_ends_sessions_and_needs_a_new_link(app):
    browser, _phone = signed_in_with_phone(app)
    accounts = app.extensions["services"].staff_accounts
    invitation = accounts.reset_totp("alice")
    # The session ended at once.
    response = browser.client.get("/staff")
    assert response.status_code == 303 and response.location == "/staff/sign-in"
    # The old password does not reopen enrolment.
    page = submit_password(browser)
    assert GENERIC_FAILURE in error_summary(page)
    # The new link sets up a new password and a new authenticator.
    phone = enrol(browser, f"/staff/enrol/{invitation.token}", password="a new and different passphrase")
    sign_out(browser, browser.get("/staff"))
    sign_in(browser, phone, password="a new and different passphrase")


def test_an_enrolment_link_expires(tmp_path):
    app = make_app(tmp_path, STAFF_ENROLMENT_HOURS=2)
    link = create_account(app)
    accounts = app.extensions["services"].staff_accounts
    real_clock = accounts.clock
    accounts.clock = lambda: real_clock() + timedelta(hours=2, seconds=1)
    try:
        page = Browser(app.test_client()).get(link)
    finally:
        accounts.clock = real_clock
    assert page.status == 404 and "does not work" in page.h1


def test_odd_enrolment_links_get_the_same_page(browser):
    for link in ("x", "x" * 43, "%00", "x" * 400):
        page = browser.get(f"/staff/enrol/{link}")
        assert page.status == 404 and page.h1 == "This set-up link does not work"


# --- the half-signed-in state (M1) -----------------------------------------------------------------------------


def test_a_forged_half_signed_in_cookie_opens_nothing(app):
    """The M1 attack: with SECRET_KEY, forge the old cookie content for an account."""
    signed_in(app)
    client = app.test_client()
    client.get("/staff/sign-in")
    serializer = app.session_interface.get_signing_serializer(app)
    for forged in ({"user": 1, "since": utcnow().timestamp(), "enrolled": True}, "x" * 43):
        client.set_cookie("wizard_staff", serializer.dumps({"staff_pending": forged}), path="/staff")
        for url in ("/staff/sign-in/code", "/staff/enrol/qr.svg"):
            response = client.get(url)
            assert response.status_code == 303 and response.location == "/staff/sign-in", url


def test_the_half_signed_in_state_is_used_up_by_the_sign_in(app):
    browser, phone = signed_in_with_phone(app)
    sign_out(browser, browser.get("/staff"))
    page = submit_password(browser)
    captured = browser.client.get_cookie("wizard_staff", path="/staff").value
    browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": phone.code()})
    assert browser.history[-1] == "/staff" and sessions_of(app) == 1
    # Replaying the captured cookie with the next code opens no new session.
    replay = Browser(app.test_client())
    replay.client.set_cookie("wizard_staff", captured, path="/staff")
    response = replay.client.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": phone.code()})
    assert response.status_code == 303 and response.location == "/staff/sign-in"
    assert sessions_of(app) == 1
    # Only a hash of the random token is stored, and nothing in the cookie names the account.
    with app.extensions["services"].database.transaction() as session:
        assert session.scalars(select(StaffPendingLogin)).all() == []


def test_the_half_signed_in_state_lasts_5_minutes(app):
    browser, _phone = signed_in_with_phone(app)
    sign_out(browser, browser.get("/staff"))
    page = submit_password(browser)
    accounts = app.extensions["services"].staff_accounts
    real_clock = accounts.clock
    accounts.clock = lambda: real_clock() + timedelta(minutes=5, seconds=5)
    try:
        page = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": "123456"})
    finally:
        accounts.clock = real_clock
    assert browser.history[-1] == "/staff/sign-in"
    assert "took longer than 5 minutes" in page.text()


def test_the_code_page_needs_the_password_first(browser):
    for url in ("/staff/sign-in/code", "/staff/enrol/qr.svg"):
        response = browser.client.get(url)
        assert response.status_code == 303 and response.location == "/staff/sign-in", url


# --- signing in ---------------------------------------------------------------------------------------------------


def test_the_sign_in_form_helps_password_managers(browser):
    page = browser.get("/staff/sign-in")
    inputs = {i.get("id"): i for i in page.parsed.inputs}
    assert inputs["username"]["autocomplete"] == "username"
    assert inputs["password"]["autocomplete"] == "current-password" and inputs["password"]["type"] == "password"
    assert '<html lang="en" dir="ltr">' in page.html
    assert "quick-exit" not in page.html and 'class="crisis"' not in page.html
    assert "This console shows the requests for World Assistance" in page.text()


def test_a_code_cannot_be_used_twice(app):
    browser, phone = signed_in_with_phone(app)
    sign_out(browser, browser.get("/staff"))
    page = submit_password(browser)
    step = phone.last
    code = phone.totp.generate_otp(step)
    page = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": code})
    assert browser.history[-1] == "/staff/sign-in/code"
    assert "That code is not right" in error_summary(page)


def test_empty_fields_are_named(browser):
    page = browser.get("/staff/sign-in")
    page = browser.post("/staff/sign-in", data={"csrf_token": page.csrf_token(), "username": " ", "password": ""})
    assert error_summary(page) == "There is a problem Enter your username Enter your password"
    assert 'href="#username"' in page.html and 'href="#password"' in page.html


def test_failures_look_the_same_whether_or_not_the_username_exists(app):
    signed_in(app)
    signed_in(app, "bob")
    app.extensions["services"].staff_accounts.disable("bob")
    create_account(app, "carol")  # not set up yet
    browser = Browser(app.test_client())

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
    not_set_up = failure("carol", PASSWORD)
    too_long = failure("alice", "x" * 1025)
    assert GENERIC_FAILURE in unknown[1]
    assert unknown[1] == wrong_password[1] == disabled[1] == not_set_up[1] == too_long[1]
    assert unknown[0] == wrong_password[0] == disabled[0] == not_set_up[0] == too_long[0]
    for _ in range(4):
        failure("alice", "still not the password")
    throttled = failure("alice", PASSWORD)
    assert throttled[1] == unknown[1]
    details = {(a[0], a[1], a[3].split(";")[0]) for a in audit_actions(app)}
    assert ("unknown", "sign-in failed", "unknown username") in details
    assert ("alice", "sign-in failed", "wrong password") in details
    assert ("alice", "source throttled", "5 wrong passwords") in details
    assert ("alice", "sign-in failed", "source throttled") in details
    assert not [a for a in audit_actions(app) if "nobody" in a[0]]


# --- lockout without denial of service (M3) --------------------------------------------------------------------------


def test_a_stranger_who_knows_the_username_cannot_keep_the_owner_out(app):
    _browser, phone = signed_in_with_phone(app)
    stranger = browser_from(app, "198.51.100.7", "python-requests/2.32")
    for _ in range(25):
        submit_password(stranger, "alice", "guessing the password")
    # The stranger's source waits, even with the right password...
    assert GENERIC_FAILURE in error_summary(submit_password(stranger))
    # ...while the owner, from their own network, signs in as usual.
    owner = browser_from(app, "192.0.2.10")
    sign_in(owner, phone)
    throttled = [a for a in audit_actions(app) if a[1] == "source throttled"]
    assert throttled and all("198.51.100.0/24, script" in a[3] for a in throttled)


def test_wrong_codes_lock_the_account_and_the_person_is_told_later(app):
    browser, phone = signed_in_with_phone(app)
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
    with app.extensions["services"].database.transaction() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "alice"))
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        user.locked_until = utcnow() - timedelta(seconds=1)
        locked_at = user.locked_at
    page = sign_in(browser, phone)
    told = f"Your account was locked at {locked_at:%Y-%m-%d %H:%M} UTC after 5 wrong security codes."
    assert told in page.text()
    # Told once.
    assert "was locked" not in browser.get("/staff").text()


def test_sign_in_is_rate_limited_per_address_with_a_friendly_page(tmp_path):
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


def test_failed_sign_ins_are_rate_limited_per_username_from_any_address(tmp_path):
    app = make_app(tmp_path, STAFF_SIGNIN_USERNAME_RATE_LIMIT="3 per minute", RATELIMIT_ENABLED=True)
    for n in range(3):
        page = submit_password(browser_from(app, f"198.51.100.{n}"), "alice", "a wrong guess here")
        assert page.status == 200
    # A fourth address, same username (however it is typed): refused.
    assert submit_password(browser_from(app, "198.51.100.9"), " ALICE ", "a wrong guess here").status == 429
    # Another username is not affected.
    assert submit_password(browser_from(app, "198.51.100.9"), "bob", "a wrong guess here").status == 200


# --- sessions (M2, L14) ------------------------------------------------------------------------------------------------


def test_sessions_end_after_30_idle_minutes(app):
    browser = signed_in(app)
    database = app.extensions["services"].database
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


def test_a_busy_session_ends_after_the_maximum_length(app):
    """The M2 reproduction: a session made days ago but used a minute ago."""
    browser = signed_in(app)
    database = app.extensions["services"].database
    with database.transaction() as session:
        session.execute(
            update(StaffSession).values(
                created_at=utcnow() - timedelta(hours=9, minutes=59), last_seen_at=utcnow() - timedelta(minutes=2)
            )
        )
    assert browser.get("/staff").h1 == "Open call-back requests"
    with database.transaction() as session:
        session.execute(update(StaffSession).values(created_at=utcnow() - timedelta(days=3)))
    page = browser.get("/staff")
    assert browser.history[-1] == "/staff/sign-in"
    assert "a session lasts at most one shift" in page.text()
    assert ("alice", "signed out", None, "maximum session length") in audit_actions(app)


def test_your_sessions_page_lists_them_and_signs_out_everywhere_else(app):
    _first, phone = signed_in_with_phone(app)
    here = browser_from(app, "192.0.2.10", FIREFOX)
    there = browser_from(app, "203.0.113.20", CHROME)
    sign_in(here, phone)
    sign_in(there, phone)
    page = here.get("/staff/account")
    assert page.h1 == "Your account"
    rows = page.html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 3
    assert "Firefox <strong>(this session)</strong>" in rows and "Chrome" in rows
    page = here.post("/staff/account/sign-out-others", data={"csrf_token": page.csrf_token()})
    assert "You were signed out everywhere else." in page.text()
    assert page.html.split("<tbody>", 1)[1].count("<tr>") == 1
    assert there.client.get("/staff").status_code == 303
    assert here.get("/staff").h1 == "Open call-back requests"
    assert ("alice", "signed out elsewhere", None, "2 session(s)") in audit_actions(app)


def test_staff_can_change_their_password_and_other_sessions_end(app):
    browser, phone = signed_in_with_phone(app)
    other = browser_from(app, "203.0.113.20", CHROME)
    sign_in(other, phone)
    page = browser.get("/staff/account")
    page = browser.get("/staff/account/password")
    assert page.h1 == "Change your password"

    def change(current, new, again=None):
        data = {"current_password": current, "new_password": new, "new_password_again": again or new}
        return browser.post("/staff/account/password", data={"csrf_token": page.csrf_token(), **data})

    assert "Your current password is not right" in error_summary(change("not my password", "a fresh long phrase"))
    assert "most common" in error_summary(change(PASSWORD, "qwertyuiop123"))
    assert "not the same" in error_summary(change(PASSWORD, "a fresh long phrase", "a fresh long phrase!"))
    done = change(PASSWORD, "a fresh long phrase")
    assert browser.history[-1] == "/staff/account"
    assert "Your password is changed" in done.text()
    assert other.client.get("/staff").status_code == 303
    sign_out(browser, done)
    assert GENERIC_FAILURE in error_summary(submit_password(browser))
    sign_in(browser, phone, password="a fresh long phrase")


# --- what is logged (L13) -----------------------------------------------------------------------------------------------


def test_staff_authentication_events_record_the_network_and_browser_only(app):
    create_account(app)
    submit_password(browser_from(app, "203.0.113.77", FIREFOX), "alice", "a wrong guess here")
    submit_password(browser_from(app, "2001:db8:1234:5678::1", CHROME), "nobody", "a wrong guess here")
    logged = audit_actions(app)
    assert ("alice", "sign-in failed", None, "not set up yet; from 203.0.113.0/24, Firefox") in logged
    assert ("unknown", "sign-in failed", None, "unknown username; from 2001:db8:1234::/48, Chrome") in logged
    assert not [a for a in logged if "203.0.113.77" in a[3] or "5678" in a[3]]


def test_refusals_and_csrf_failures_are_warnings_with_the_route_only(app, caplog):
    browser = Browser(app.test_client())
    with caplog.at_level(logging.WARNING, logger="wizard.staff"):
        browser.client.get("/staff/requests/ABCD-1234")
        browser.get("/staff/sign-in")
        browser.client.post("/staff/sign-in", data={"csrf_token": "forged", "username": "alice", "password": "x"})
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Staff page refused without a sign-in: GET /staff/requests/<reference>" in messages
    assert "Staff form refused: CSRF check failed on POST /staff/sign-in" in messages
    assert not [m for m in messages if "ABCD" in m or "alice" in m]


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


@pytest.mark.parametrize("n", [2**10, 2**16])
def test_a_scrypt_cost_below_owasp_guidance_is_refused_in_production(tmp_path, n):
    with pytest.raises(RuntimeError, match="STAFF_SCRYPT_N must be at least 131072"):
        create_app(
            {
                "SECRET_KEY": "test-secret",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'staff.sqlite3'}",
                "DEVELOPMENT": False,
                "STAFF_SCRYPT_N": n,
            }
        )


def test_the_cookie_holds_only_a_token_kept_hashed_in_the_database(app):
    browser = signed_in(app)
    value = browser.client.get_cookie("wizard_staff", path="/staff").value
    assert "alice" not in value
    with app.extensions["services"].database.transaction() as session:
        rows = session.scalars(select(StaffSession)).all()
        assert len(rows) == 1 and len(rows[0].id) == 64
        assert rows[0].id not in value


def test_signing_out_revokes_the_session(app):
    browser = signed_in(app)
    client = browser.client
    old_cookie = client.get_cookie("wizard_staff", path="/staff").value
    page = sign_out(browser, browser.get("/staff"))
    assert browser.history[-1] == "/staff/sign-in"
    assert "You have signed out." in page.text()
    with app.extensions["services"].database.transaction() as session:
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
    link = create_account(app)
    browser = Browser(app.test_client())
    client = browser.client
    browser.answer(browser.get("/questions"), "myself")
    public_before = client.get_cookie("wizard").value
    assert public_answers(app, client) == {"who": "myself"}
    phone = enrol(browser, link)
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


def test_a_stranger_cannot_dodge_the_throttle_by_moving_within_an_ipv6_64(app):
    _browser, phone = signed_in_with_phone(app)
    for n in range(1, 6):
        submit_password(browser_from(app, f"2001:db8:1:2::{n}"), "alice", "guessing the password")
    # Another address of the same /64 waits too, even with the right password.
    assert GENERIC_FAILURE in error_summary(submit_password(browser_from(app, "2001:db8:1:2::99")))
    sign_in(browser_from(app, "2001:db8:9:9::1"), phone)
