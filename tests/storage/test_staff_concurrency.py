"""Staff sign-in under simultaneous requests, on SQLite and on PostgreSQL (L6): a code is
accepted once, no wrong code goes uncounted, and an enrolment link is used once.

Checking a code is made slow on purpose (a pause between reading the account and
writing it back), so requests that do not take turns would overlap every time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pyotp
import pytest
from sqlalchemy import select

from wizard.storage import Database, Sealer
from wizard.storage.crypto import new_key
from wizard.storage.models import StaffSession, StaffUser
from wizard.storage.staff_accounts import Accounts, Policy

KEY = new_key()
PASSWORD = "a long enough passphrase"
PAUSE = 0.3


@pytest.fixture
def accounts(database_url, monkeypatch):
    database = Database(database_url)
    database.migrate()
    original = Accounts._matching_step

    def slow(secret, code, now, *, after):
        time.sleep(PAUSE)
        return original(secret, code, now, after=after)

    monkeypatch.setattr(Accounts, "_matching_step", staticmethod(slow))
    yield Accounts(database, Sealer([KEY]), Policy(scrypt_n=16))
    database.dispose()


def at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def enrolled(accounts: Accounts) -> str:
    link = accounts.create("alice").token
    attempt = accounts.begin_enrolment(link)
    # A code from an earlier step, so the current one is still unused afterwards.
    totp = pyotp.TOTP(attempt.secret)
    earlier = totp.at(datetime.now().timestamp() - 30)
    assert accounts.complete_enrolment(link, attempt.pending, PASSWORD, earlier).status == "ok"
    return attempt.secret


def test_one_code_used_twice_at_the_same_moment_signs_in_once(accounts):
    secret = enrolled(accounts)
    pendings = [accounts.check_password("alice", PASSWORD).pending for _ in range(2)]
    code = pyotp.TOTP(secret).now()
    results = at_once(2, lambda i: accounts.verify_code(pendings[i], code).status)
    assert sorted(results) == ["ok", "wrong"]
    with accounts.database.transaction() as session:
        # The set-up session and one more.
        assert len(session.scalars(select(StaffSession)).all()) == 2


def test_no_wrong_code_goes_uncounted(accounts):
    enrolled(accounts)
    pendings = [accounts.check_password("alice", PASSWORD).pending for _ in range(4)]
    results = at_once(4, lambda i: accounts.verify_code(pendings[i], "abcdef").status)
    assert results == ["wrong"] * 4
    with accounts.database.transaction() as session:
        assert session.scalar(select(StaffUser.failed_attempts)) == 4


def test_an_enrolment_link_finishes_once_even_at_the_same_moment(accounts):
    link = accounts.create("alice").token
    attempts = [accounts.begin_enrolment(link) for _ in range(2)]
    assert attempts[0].secret != attempts[1].secret

    def finish(i: int) -> str:
        attempt = attempts[i]
        return accounts.complete_enrolment(link, attempt.pending, PASSWORD, pyotp.TOTP(attempt.secret).now()).status

    assert sorted(at_once(2, finish)) == ["ok", "refused"]
