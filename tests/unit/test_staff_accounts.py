"""Staff accounts without Flask: TOTP enrolment and replay, lockout, and idle sessions.

A fake clock moves time, so nothing here sleeps.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from wizard.staff.accounts import AccountError, Accounts, Policy, totp_step
from wizard.storage import Database, Sealer
from wizard.storage.audit import recent
from wizard.storage.models import StaffSession, StaffUser

KEY = "X3pJqg8kTtZ7s1l3xw0m6E2VwQ9bq2oVjvY5ZtWcH3Y="
PASSWORD = "a long enough password"


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(tmp_path, clock):
    database = Database(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    database.migrate()
    yield Accounts(database, Sealer([KEY]), Policy(scrypt_n=16, lockout_attempts=3, lockout_minutes=15), clock=clock)
    database.dispose()


def code_at(secret: str, clock: Clock, steps: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(totp_step(clock.now) + steps)


def enrol(accounts: Accounts, clock: Clock, username: str = "alice") -> tuple[int, str]:
    """Create an account and set up its authenticator; returns (user id, secret)."""
    user = accounts.create(username, PASSWORD)
    secret = accounts.enrolment(user.id).secret
    assert accounts.verify_code(user.id, code_at(secret, clock)).status == "ok"
    return user.id, secret


def actions(accounts: Accounts) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.detail) for e in reversed(recent(accounts.database))]


# --- creating accounts ---------------------------------------------------------------------


def test_usernames_and_passwords_are_checked_on_creation(accounts):
    with pytest.raises(AccountError, match="at least 12"):
        accounts.create("alice", "short")
    with pytest.raises(AccountError, match="username"):
        accounts.create("Al ice!", PASSWORD)
    created = accounts.create("  Alice ", PASSWORD)
    assert created.username == "alice"
    with pytest.raises(AccountError, match="already"):
        accounts.create("ALICE", PASSWORD)
    with accounts.database.transaction() as session:
        user = session.scalar(select(StaffUser))
        # Never the password itself.
        assert user.password_hash.startswith("scrypt$n=16,r=8,p=1$")
        assert PASSWORD not in user.password_hash


# --- the second factor -----------------------------------------------------------------------


def test_enrolment_confirms_the_secret_with_a_code(accounts, clock):
    user = accounts.create("alice", PASSWORD)
    check = accounts.check_password("alice", PASSWORD)
    assert check.user == user and not check.enrolled
    enrolment = accounts.enrolment(user.id)
    assert enrolment.username == "alice" and len(enrolment.secret) == 32
    # Kept until confirmed, so reloading the page does not change what was scanned.
    assert accounts.enrolment(user.id) == enrolment
    right = code_at(enrolment.secret, clock)
    assert accounts.verify_code(user.id, "111111" if right == "000000" else "000000").status == "wrong"
    assert accounts.enrolment(user.id) == enrolment
    result = accounts.verify_code(user.id, right)
    assert result.status == "ok" and result.token
    assert accounts.enrolment(user.id) is None
    assert accounts.check_password("alice", PASSWORD).enrolled
    # The secret is sealed in the database, never stored in the clear.
    with accounts.database.transaction() as session:
        assert enrolment.secret.encode() not in session.scalar(select(StaffUser)).totp_sealed


def test_codes_from_the_next_and_previous_step_are_accepted(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=5)
    assert accounts.verify_code(user_id, code_at(secret, clock, -1)).status == "ok"
    assert accounts.verify_code(user_id, code_at(secret, clock, +1)).status == "ok"
    assert accounts.verify_code(user_id, code_at(secret, clock, +2)).status == "wrong"


def test_a_code_works_only_once(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=1)
    code = code_at(secret, clock)
    assert accounts.verify_code(user_id, code).status == "ok"
    assert accounts.verify_code(user_id, code).status == "wrong"
    # Nor an older one still inside the drift window.
    assert accounts.verify_code(user_id, code_at(secret, clock, -1)).status == "wrong"
    assert accounts.verify_code(user_id, code_at(secret, clock, +1)).status == "ok"


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", None])
def test_malformed_codes_are_wrong_not_errors(accounts, clock, code):
    user_id, _secret = enrol(accounts, clock)
    assert accounts.verify_code(user_id, code).status == "wrong"


def test_spaces_in_a_code_are_ignored(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=1)
    code = code_at(secret, clock)
    assert accounts.verify_code(user_id, f" {code[:3]} {code[3:]} ").status == "ok"


def test_resetting_the_second_factor_starts_enrolment_again_and_ends_sessions(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    with accounts.database.transaction() as session:
        assert session.scalars(select(StaffSession)).all()
    assert accounts.reset_totp("alice")
    assert not accounts.reset_totp("nobody")
    assert not accounts.check_password("alice", PASSWORD).enrolled
    assert accounts.enrolment(user_id).secret != secret
    with accounts.database.transaction() as session:
        assert session.scalars(select(StaffSession)).all() == []


# --- lockout --------------------------------------------------------------------------------


def test_the_account_locks_after_the_set_number_of_failures_and_unlocks_after_the_time(accounts, clock):
    enrol(accounts, clock)
    for _ in range(3):
        assert accounts.check_password("alice", "not the password").user is None
    # Locked: even the right password is refused, exactly like a wrong one.
    assert accounts.check_password("alice", PASSWORD).user is None
    clock.advance(minutes=14, seconds=59)
    assert accounts.check_password("alice", PASSWORD).user is None
    clock.advance(seconds=2)
    assert accounts.check_password("alice", PASSWORD).user is not None
    logged = actions(accounts)
    assert [a for a in logged if a[1] == "locked"] == [("alice", "locked", "3 failed attempts; locked for 15 minutes")]
    assert ("alice", "sign-in failed", "account locked") in logged


def test_wrong_codes_count_towards_the_lock(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=1)
    assert accounts.check_password("alice", "not the password").user is None
    assert accounts.verify_code(user_id, "000001").status == "wrong"
    # The right password does not reset the count: only a full sign-in does.
    assert accounts.check_password("alice", PASSWORD).user is not None
    assert accounts.verify_code(user_id, "000002").status == "locked"
    assert accounts.verify_code(user_id, code_at(secret, clock)).status == "locked"
    clock.advance(minutes=16)
    assert accounts.verify_code(user_id, code_at(secret, clock)).status == "ok"


def test_a_full_sign_in_resets_the_count(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    for _ in range(2):
        accounts.check_password("alice", "not the password")
    clock.advance(minutes=1)
    assert accounts.verify_code(user_id, code_at(secret, clock)).status == "ok"
    for _ in range(2):
        accounts.check_password("alice", "not the password")
    assert accounts.check_password("alice", PASSWORD).user is not None


def test_unlock_from_the_command_line(accounts, clock):
    enrol(accounts, clock)
    for _ in range(3):
        accounts.check_password("alice", "not the password")
    assert accounts.list()[0].locked_until == clock.now + timedelta(minutes=15)
    assert accounts.unlock("alice")
    assert accounts.list()[0].locked_until is None
    assert accounts.check_password("alice", PASSWORD).user is not None


def test_unknown_and_disabled_accounts_are_refused_like_wrong_passwords(accounts, clock):
    enrol(accounts, clock)
    enrol(accounts, clock, "bob")
    assert accounts.disable("bob")
    assert accounts.check_password("nobody", PASSWORD).user is None
    assert accounts.check_password("bob", PASSWORD).user is None
    logged = actions(accounts)
    # A name that is not an account is never written down: it may be a mistyped password.
    assert ("unknown", "sign-in failed", "unknown username") in logged
    assert not [a for a in logged if "nobody" in a[0]]
    assert ("bob", "sign-in failed", "account disabled") in logged


# --- sessions -------------------------------------------------------------------------------


def test_a_session_ends_after_30_idle_minutes(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=1)
    token = accounts.verify_code(user_id, code_at(secret, clock)).token
    assert accounts.resume(token).user.username == "alice"
    clock.advance(minutes=29)
    check = accounts.resume(token)
    assert check.user is not None and check.touched
    # Activity renews it: 29 more minutes is fine.
    clock.advance(minutes=29)
    assert accounts.resume(token).user is not None
    clock.advance(minutes=30, seconds=1)
    check = accounts.resume(token)
    assert check.user is None and check.expired
    # And it is gone: no second chance.
    assert accounts.resume(token) == accounts.resume("x" * 43)
    assert ("alice", "signed out", "after inactivity") in actions(accounts)


def test_last_seen_is_written_at_most_once_a_minute(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=1)
    token = accounts.verify_code(user_id, code_at(secret, clock)).token
    clock.advance(seconds=30)
    assert not accounts.resume(token).touched
    clock.advance(seconds=30)
    assert accounts.resume(token).touched
    assert not accounts.resume(token).touched


def test_signing_out_ends_the_session_and_only_its_hash_is_stored(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=1)
    token = accounts.verify_code(user_id, code_at(secret, clock)).token
    with accounts.database.transaction() as session:
        assert token not in {row.id for row in session.scalars(select(StaffSession))}
    accounts.end_session(token)
    assert accounts.resume(token).user is None
    assert not accounts.resume(token).expired


def test_disabling_an_account_ends_its_sessions(accounts, clock):
    user_id, secret = enrol(accounts, clock)
    clock.advance(minutes=1)
    token = accounts.verify_code(user_id, code_at(secret, clock)).token
    accounts.disable("alice")
    assert accounts.resume(token).user is None


@pytest.mark.parametrize("token", [None, "", 42, "short", "x" * 500])
def test_odd_tokens_are_no_session(accounts, token):
    assert accounts.resume(token).user is None
