"""Staff accounts without Flask: enrolment links, TOTP set-up and replay, throttles and
escalating locks, password rules, and session lifetimes.

A fake clock moves time, so nothing here sleeps.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from wizard.storage import Database, Sealer
from wizard.storage import staff_accounts as accounts_module
from wizard.storage.audit import recent
from wizard.storage.models import StaffPendingLogin, StaffSession, StaffUser
from wizard.storage.staff_accounts import AccountError, Accounts, Policy, totp_step
from wizard.storage.staff_accounts.password_policy import common_passwords, password_problem
from wizard.storage.staff_accounts.sign_in_sources import Source, agent_family, network_of

KEY = "X3pJqg8kTtZ7s1l3xw0m6E2VwQ9bq2oVjvY5ZtWcH3Y="
PASSWORD = "a long enough passphrase"
HOME = Source("192.0.2.0/24", "Firefox", "home")
STRANGER = Source("198.51.100.0/24", "script", "stranger")


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
    policy = Policy(scrypt_n=16, lockout_attempts=5, lockout_minutes=15, operator_name="World Assistance")
    yield Accounts(database, Sealer([KEY]), policy, clock=clock)
    database.dispose()


def code_at(secret: str, clock: Clock, steps: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(totp_step(clock.now) + steps)


def enrol(accounts: Accounts, clock: Clock, username: str = "alice") -> str:
    """Create an account and set it up through its link; returns the authenticator secret."""
    link = accounts.create(username).token
    enrolment = accounts.begin_enrolment(link)
    result = accounts.complete_enrolment(link, enrolment.pending, PASSWORD, code_at(enrolment.secret, clock), HOME)
    assert result.status == "ok", result
    return enrolment.secret


def sign_in(accounts: Accounts, clock: Clock, secret: str, username: str = "alice", source: Source = HOME):
    """The password, then the code from a step not used yet; returns the code check."""
    pending = accounts.check_password(username, PASSWORD, source).pending
    assert pending is not None
    clock.advance(seconds=30)
    return accounts.verify_code(pending, code_at(secret, clock), source)


def actions(accounts: Accounts) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.detail) for e in reversed(recent(accounts.database))]


def user_row(accounts: Accounts, username: str = "alice") -> StaffUser:
    with accounts.database.transaction() as session:
        return session.scalar(select(StaffUser).where(StaffUser.username == username))


# --- creating accounts and enrolment links (H1, M4) ------------------------------------------


def test_usernames_are_checked_and_no_password_is_set_on_creation(accounts):
    with pytest.raises(AccountError, match="2 to 64 characters"):
        accounts.create("Al ice!")
    invitation = accounts.create("  Alice ")
    assert invitation.username == "alice" and len(invitation.token) >= 40
    with pytest.raises(AccountError, match="already an account called alice"):
        accounts.create("ALICE")
    # Nobody chose a password for the person: none works until they set one.
    assert accounts.check_password("alice", "").pending is None
    assert user_row(accounts).password_hash == "!"


def test_the_link_is_stored_only_as_a_hash_and_expires(accounts, clock):
    invitation = accounts.create("alice")
    assert invitation.expires_at == clock.now + timedelta(hours=24)
    from wizard.storage.models import StaffEnrolment

    with accounts.database.transaction() as session:
        ids = [row.id for row in session.scalars(select(StaffEnrolment))]
    assert len(ids) == 1 and invitation.token not in ids[0]
    clock.advance(hours=23, minutes=59)
    assert accounts.begin_enrolment(invitation.token) is not None
    clock.advance(minutes=1)
    assert accounts.begin_enrolment(invitation.token) is None


def test_each_attempt_gets_its_own_secret_and_only_the_finished_one_counts(accounts, clock):
    link = accounts.create("alice").token
    # Someone who got hold of the link looks at the set-up page and waits (the H1 attack).
    theirs = accounts.begin_enrolment(link)
    # The same attempt (same half-signed-in token) sees the same secret on a reload...
    assert accounts.begin_enrolment(link, theirs.pending) == theirs
    # ...but the real person's attempt gets a different one.
    mine = accounts.begin_enrolment(link)
    assert mine.secret != theirs.secret and mine.pending != theirs.pending
    assert accounts.complete_enrolment(link, mine.pending, PASSWORD, code_at(mine.secret, clock)).status == "ok"
    # The link is used up: the other attempt cannot finish, nor start again.
    late = accounts.complete_enrolment(link, theirs.pending, PASSWORD, code_at(theirs.secret, clock))
    assert late.status == "refused"
    assert accounts.begin_enrolment(link) is None
    # Codes from the secret the other attempt saw never sign in.
    clock.advance(seconds=30)
    pending = accounts.check_password("alice", PASSWORD).pending
    assert accounts.verify_code(pending, code_at(theirs.secret, clock)).status == "wrong"
    assert accounts.verify_code(pending, code_at(mine.secret, clock)).status == "ok"


def test_a_wrong_code_or_weak_password_does_not_use_up_the_link(accounts, clock):
    link = accounts.create("alice").token
    attempt = accounts.begin_enrolment(link)
    right = code_at(attempt.secret, clock)
    wrong = "111111" if right == "000000" else "000000"
    assert accounts.complete_enrolment(link, attempt.pending, PASSWORD, wrong).status == "wrong"
    weak = accounts.complete_enrolment(link, attempt.pending, "password1234", right)
    assert weak.status == "password" and "most common" in weak.problem
    assert accounts.complete_enrolment(link, attempt.pending, PASSWORD, right).status == "ok"


def test_reset_totp_needs_a_new_link_and_ends_everything(accounts, clock):
    secret = enrol(accounts, clock)
    token = sign_in(accounts, clock, secret).token
    old_link = accounts.create("bob").token  # another account's link is not affected below
    invitation = accounts.reset_totp("alice")
    assert invitation is not None
    # Sessions end; the old password opens nothing, not even enrolment.
    assert accounts.resume(token).user is None
    assert accounts.check_password("alice", PASSWORD).pending is None
    assert ("alice", "sign-in failed", "account locked") not in actions(accounts)
    # A second reset replaces the first link.
    newer = accounts.reset_totp("alice")
    assert accounts.begin_enrolment(invitation.token) is None
    assert accounts.begin_enrolment(newer.token) is not None
    assert accounts.begin_enrolment(old_link) is not None
    assert accounts.reset_totp("nobody") is None


def test_the_half_signed_in_state_is_used_once_and_expires(accounts, clock):
    secret = enrol(accounts, clock)
    clock.advance(seconds=30)
    pending = accounts.check_password("alice", PASSWORD).pending
    assert accounts.verify_code(pending, code_at(secret, clock)).status == "ok"
    # Replayed after the sign-in (M1): it is gone.
    clock.advance(seconds=30)
    assert accounts.verify_code(pending, code_at(secret, clock)).status == "refused"
    pending = accounts.check_password("alice", PASSWORD).pending
    clock.advance(minutes=5, seconds=1)
    assert accounts.verify_code(pending, code_at(secret, clock)).status == "refused"
    with accounts.database.transaction() as session:
        stored = [row.id for row in session.scalars(select(StaffPendingLogin))]
    assert pending not in stored


@pytest.mark.parametrize("token", [None, "", 42, "short", "x" * 500, "x" * 43])
def test_odd_half_signed_in_tokens_open_nothing(accounts, token):
    assert accounts.verify_code(token, "123456").status == "refused"
    assert accounts.enrolment(token) is None
    assert accounts.begin_enrolment(token) is None


# --- codes ------------------------------------------------------------------------------------


def test_codes_work_once_and_within_one_step(accounts, clock):
    secret = enrol(accounts, clock)
    clock.advance(minutes=2)
    pending = accounts.check_password("alice", PASSWORD).pending
    assert accounts.verify_code(pending, code_at(secret, clock, +2)).status == "wrong"
    code = code_at(secret, clock)
    assert accounts.verify_code(pending, f" {code[:3]} {code[3:]} ").status == "ok"
    pending = accounts.check_password("alice", PASSWORD).pending
    # The same code, or the one before it, is spent.
    assert accounts.verify_code(pending, code).status == "wrong"
    assert accounts.verify_code(pending, code_at(secret, clock, -1)).status == "wrong"
    assert accounts.verify_code(pending, code_at(secret, clock, +1)).status == "ok"


# --- throttles and locks (M3) -------------------------------------------------------------------


def test_wrong_passwords_slow_down_only_their_source(accounts, clock):
    secret = enrol(accounts, clock)
    for _ in range(12):
        assert accounts.check_password("alice", "not the password at all", STRANGER).pending is None
    # The stranger's source waits, even with the right password...
    assert accounts.check_password("alice", PASSWORD, STRANGER).pending is None
    # ...but the account is not locked: its owner signs in from elsewhere.
    assert sign_in(accounts, clock, secret).status == "ok"
    assert user_row(accounts).locked_until is None
    logged = actions(accounts)
    assert (
        "alice",
        "source throttled",
        "5 wrong passwords; this source waits 15 minutes; from 198.51.100.0/24, script",
    ) in logged
    assert ("alice", "sign-in failed", "source throttled; from 198.51.100.0/24, script") in logged
    clock.advance(minutes=16)
    assert accounts.check_password("alice", PASSWORD, STRANGER).pending is not None


def test_wrong_codes_lock_for_longer_each_time_then_need_an_unlock(accounts, clock):
    secret = enrol(accounts, clock)

    def wrong_codes(count: int) -> str:
        pending = accounts.check_password("alice", PASSWORD).pending
        assert pending is not None
        status = ""
        for _ in range(count):
            status = accounts.verify_code(pending, "000000" if code_at(secret, clock) != "000000" else "111111").status
        return status

    assert wrong_codes(4) == "wrong"
    assert wrong_codes(1) == "locked"
    assert accounts.check_password("alice", PASSWORD).pending is None
    clock.advance(minutes=15, seconds=1)
    # The count goes on from 5: the next lock, at 10, lasts an hour.
    assert wrong_codes(5) == "locked"
    clock.advance(minutes=59)
    assert accounts.check_password("alice", PASSWORD).pending is None
    clock.advance(minutes=1, seconds=1)
    assert wrong_codes(5) == "locked"
    clock.advance(hours=1, seconds=1)
    assert wrong_codes(5) == "locked"
    # 20 in a row: only the command line lifts it, however long one waits.
    clock.advance(days=30)
    assert accounts.check_password("alice", PASSWORD).pending is None
    assert [a.needs_unlock for a in accounts.list()] == [True]
    locks = [a[2] for a in actions(accounts) if a[1] == "locked"]
    assert [lock.split(";")[0] for lock in locks] == [
        "5 wrong codes in a row",
        "10 wrong codes in a row",
        "15 wrong codes in a row",
        "20 wrong codes in a row",
    ]
    assert "locked for 15 minutes" in locks[0] and "locked for 60 minutes" in locks[1]
    assert accounts.unlock("alice")
    check = sign_in(accounts, clock, secret)
    assert check.status == "ok"
    # The person is told, once, that the account was locked.
    assert check.lock_notice is not None and check.lock_notice.failures == 20
    assert sign_in(accounts, clock, secret).lock_notice is None


def test_a_successful_sign_in_resets_the_code_count(accounts, clock):
    secret = enrol(accounts, clock)
    pending = accounts.check_password("alice", PASSWORD).pending
    for _ in range(4):
        accounts.verify_code(pending, "abcdef")
    clock.advance(seconds=30)
    assert accounts.verify_code(pending, code_at(secret, clock)).status == "ok"
    assert user_row(accounts).failed_attempts == 0


def test_a_lock_ends_the_half_signed_in_state(accounts, clock):
    enrol(accounts, clock)
    first = accounts.check_password("alice", PASSWORD).pending
    second = accounts.check_password("alice", PASSWORD).pending
    for _ in range(5):
        accounts.verify_code(first, "abcdef")
    assert accounts.verify_code(second, "abcdef").status == "refused"


def test_over_long_passwords_are_refused_before_any_account_is_looked_up(accounts, clock, monkeypatch):
    enrol(accounts, clock)
    looked_up, burnt = [], []
    monkeypatch.setattr(Accounts, "_find", lambda *args, **kwargs: looked_up.append(args))
    monkeypatch.setattr(accounts_module.passwords, "burn_time", lambda password, n: burnt.append(len(password)))
    for name in ("alice", "nobody"):
        assert accounts.check_password(name, "x" * 1025).pending is None
    # The same work (a hash of the first 1,024 characters) for a real and an unknown name (L3).
    assert looked_up == [] and burnt == [1024, 1024]


# --- password rules (M4) ------------------------------------------------------------------------


def test_the_common_password_list_ships_with_the_project():
    common = common_passwords()
    assert len(common) >= 9000
    assert {"123456", "password", "qwerty", "1qaz2wsx3edc"} <= common


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("short", "at least 12"),
        ("password1234", "most common"),
        ("1qaz2wsx3edc", "most common"),
        ("Qwertyuiop!!!", "most common"),
        ("aaaaaaaaaaaa", "too few"),
        ("121212121212", "too few"),
        ("alice-alice-alice", "username"),
        ("WorldAssistance2026", "organisation"),
        ("staffconsole2026", "username"),
        ("x" * 1025, "at most 1024"),
    ],
)
def test_weak_passwords_are_refused(password, words):
    problem = password_problem(password, username="alice", operator_name="World Assistance")
    assert problem is not None and words in problem


@pytest.mark.parametrize("password", [PASSWORD, "correct horse battery staple", "alice walks 3 dogs at dawn"])
def test_reasonable_passwords_are_accepted(password):
    assert password_problem(password, username="alice", operator_name="World Assistance") is None


def test_changing_the_password_checks_the_current_one_and_ends_other_sessions(accounts, clock):
    secret = enrol(accounts, clock)
    here = sign_in(accounts, clock, secret).token
    elsewhere = sign_in(accounts, clock, secret).token
    user_id = accounts.resume(here).user.id
    assert "current password is not right" in accounts.change_password(user_id, here, "wrong one", "new passphrase 42")
    assert "most common" in accounts.change_password(user_id, here, PASSWORD, "password1234")
    assert accounts.change_password(user_id, here, PASSWORD, "a brand new passphrase", HOME) is None
    assert accounts.resume(here).user is not None
    assert accounts.resume(elsewhere).user is None
    assert accounts.check_password("alice", PASSWORD).pending is None
    assert accounts.check_password("alice", "a brand new passphrase").pending is not None
    assert ("alice", "password changed", "2 other session(s) ended; from 192.0.2.0/24, Firefox") in actions(accounts)


# --- sessions (M2, L14) ----------------------------------------------------------------------------


def test_a_session_ends_after_30_idle_minutes(accounts, clock):
    secret = enrol(accounts, clock)
    token = sign_in(accounts, clock, secret).token
    clock.advance(minutes=29)
    check = accounts.resume(token)
    assert check.user is not None and check.touched
    clock.advance(minutes=29)
    assert accounts.resume(token).user is not None
    clock.advance(minutes=30, seconds=1)
    check = accounts.resume(token)
    assert check.user is None and check.expired == "idle"
    assert accounts.resume(token) == accounts.resume("x" * 43)
    assert ("alice", "signed out", "after inactivity") in actions(accounts)


def test_a_busy_session_still_ends_after_one_shift(accounts, clock):
    secret = enrol(accounts, clock)
    token = sign_in(accounts, clock, secret).token
    # Used every 20 minutes for 10 hours: never idle, and still it ends.
    for _ in range(30):
        clock.advance(minutes=20)
        assert accounts.resume(token).user is not None
    clock.advance(minutes=1)
    check = accounts.resume(token)
    assert check.user is None and check.expired == "maximum"
    assert ("alice", "signed out", "maximum session length") in actions(accounts)


def test_the_maximum_session_length_is_configurable(tmp_path, clock):
    database = Database(f"sqlite:///{tmp_path / 'short.sqlite3'}")
    database.migrate()
    accounts = Accounts(database, Sealer([KEY]), Policy(scrypt_n=16, max_session_hours=2), clock=clock)
    secret = enrol(accounts, clock)
    token = sign_in(accounts, clock, secret).token
    for _ in range(6):
        clock.advance(minutes=20)
        assert accounts.resume(token).user is not None
    clock.advance(minutes=1)
    assert accounts.resume(token).expired == "maximum"
    database.dispose()


def test_sessions_are_listed_and_others_can_be_ended(accounts, clock):
    secret = enrol(accounts, clock)
    here = sign_in(accounts, clock, secret).token
    there = sign_in(accounts, clock, secret, source=Source("203.0.113.0/24", "Chrome", "work")).token
    user_id = accounts.resume(here).user.id
    listed = accounts.sessions(user_id, here)
    # The set-up sign-in, and the two since.
    assert len(listed) == 3
    assert [s.agent for s in listed if s.current] == ["Firefox"]
    assert "Chrome" in {s.agent for s in listed}
    assert accounts.end_other_sessions(user_id, here) == 2
    assert accounts.resume(there).user is None and accounts.resume(here).user is not None


def test_a_sixth_session_ends_the_oldest(accounts, clock):
    secret = enrol(accounts, clock)
    tokens = [sign_in(accounts, clock, secret).token for _ in range(5)]
    with accounts.database.transaction() as session:
        assert len(session.scalars(select(StaffSession)).all()) == 5
    # The set-up session went first, then the first of these.
    assert accounts.resume(tokens[0]).user is not None
    sign_in(accounts, clock, secret)
    assert accounts.resume(tokens[0]).user is None
    assert accounts.resume(tokens[1]).user is not None


def test_disabling_an_account_ends_its_sessions_and_links(accounts, clock):
    secret = enrol(accounts, clock)
    token = sign_in(accounts, clock, secret).token
    link = accounts.create("bob").token
    accounts.disable("alice")
    accounts.disable("bob")
    assert accounts.resume(token).user is None
    assert accounts.begin_enrolment(link) is None
    assert accounts.check_password("alice", PASSWORD).pending is None


@pytest.mark.parametrize("token", [None, "", 42, "short", "x" * 500])
def test_odd_tokens_are_no_session(accounts, token):
    assert accounts.resume(token).user is None


# --- where a sign-in came from (L13) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("not an address", "unknown network"),
        (None, "unknown network"),
    ],
)
def test_addresses_are_cut_to_their_network(address, network):
    assert network_of(address) == network


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0", "Edge"),
        ("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15", "Safari"),
        ("Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", "Chrome"),
        ("", "unknown browser"),
        ("something odd", "other browser"),
    ],
)
def test_browsers_are_named_by_family_only(agent, family):
    assert agent_family(agent) == family


def test_a_lock_is_a_warning_in_the_logs_without_the_name(accounts, clock, caplog):
    enrol(accounts, clock)
    pending = accounts.check_password("alice", PASSWORD).pending
    with caplog.at_level("WARNING", logger="wizard.storage.staff_accounts"):
        for _ in range(5):
            accounts.verify_code(pending, "abcdef")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["A staff account was locked after 5 wrong security codes"]


def test_the_throttle_counts_an_ipv6_client_by_what_the_rate_limits_count():
    from wizard.storage.staff_accounts.sign_in_sources import source_of

    one = source_of("2001:db8:1:2::1", "", secret="k", throttle_as="2001:db8:1:2::/64")
    other = source_of("2001:db8:1:2::ffff", "", secret="k", throttle_as="2001:db8:1:2::/64")
    assert one.key == other.key and "2001:db8" not in one.key


def test_a_step_up_code_works_once_and_wrong_ones_count_towards_the_lock(accounts, clock):
    secret = enrol(accounts, clock)
    token = sign_in(accounts, clock, secret).token
    user_id = accounts.resume(token).user.id
    clock.advance(seconds=30)
    code = code_at(secret, clock)
    assert accounts.confirm_code(user_id, code) == "ok"
    assert accounts.confirm_code(user_id, code) == "wrong"
    for _ in range(3):
        assert accounts.confirm_code(user_id, "abcdef") == "wrong"
    assert accounts.confirm_code(user_id, "abcdef") == "locked"
    clock.advance(seconds=30)
    assert accounts.confirm_code(user_id, code_at(secret, clock)) == "locked"
    # No session was opened by any of it.
    with accounts.database.transaction() as session:
        assert len(session.scalars(select(StaffSession)).all()) == 2
    assert accounts.confirm_code(9999, code) == "refused"
