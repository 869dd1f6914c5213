"""`python -m wizard staff ...`: accounts are made and managed only from the command line,
which prints single-use set-up links and never handles a password."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from wizard import create_app
from wizard.cli import main
from wizard.storage.audit import recent
from wizard.storage.models import StaffUser

PASSWORD = "a long enough passphrase"
LINK = re.compile(r"(?:https://help\.example\.org)?/staff/enrol/([A-Za-z0-9_-]{40,})")


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    # The command line builds the app from the environment, as on a server.
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["staff", *argv])
    return exited.value.code


def accounts(url: str):
    return (
        create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url})
        .extensions["services"]
        .staff_accounts
    )


def link_in(output: str) -> str:
    match = LINK.search(output)
    assert match, output
    return match.group(1)


def set_up(staff, token: str) -> None:
    attempt = staff.begin_enrolment(token)
    code = pyotp.TOTP(attempt.secret).now()
    assert staff.complete_enrolment(token, attempt.pending, PASSWORD, code).status == "ok"


def test_create_prints_a_single_use_link_and_asks_for_no_password(database_url, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("asked for a password"))
    assert run("create", "Alice", "--base-url", "https://help.example.org/") == 0
    out = capsys.readouterr().out
    assert "Created the account alice" in out and "works once" in out
    assert "https://help.example.org/staff/enrol/" in out
    staff = accounts(database_url)
    set_up(staff, link_in(out))
    assert staff.check_password("alice", PASSWORD).pending is not None
    # Hashed with the production cost (OWASP: scrypt N=2**17), whatever the tests use elsewhere.
    with staff.database.transaction() as session:
        assert session.scalar(select(StaffUser.password_hash)).startswith("scrypt$n=131072,r=8,p=1$")
    # The link worked once.
    assert staff.begin_enrolment(link_in(out)) is None


def test_create_refuses_bad_names_and_duplicates(database_url, capsys):
    assert run("create", "Al ice!") == 1
    assert "2 to 64 characters" in capsys.readouterr().err
    assert run("create", "alice") == 0
    assert run("create", "ALICE") == 1
    assert "already an account called alice" in capsys.readouterr().err


def test_list_unlock_reset_and_disable(database_url, capsys):
    assert run("list") == 0
    assert "There are no staff accounts" in capsys.readouterr().out
    run("create", "alice")
    first_link = link_in(capsys.readouterr().out)
    assert run("list") == 0
    assert "waiting for set-up" in capsys.readouterr().out
    staff = accounts(database_url)
    set_up(staff, first_link)
    with staff.database.transaction() as session:
        session.scalar(select(StaffUser)).needs_unlock = True
    assert run("list") == 0
    listing = capsys.readouterr().out
    assert "alice" in listing and "locked until unlocked" in listing and "set up" in listing
    assert staff.check_password("alice", PASSWORD).pending is None
    assert run("unlock", "alice") == 0
    assert staff.check_password("alice", PASSWORD).pending is not None
    # reset-totp: the old password stops working, and a new link is printed.
    assert run("reset-totp", "alice") == 0
    out = capsys.readouterr().out
    assert "sessions have ended" in out and link_in(out) != first_link
    assert staff.check_password("alice", PASSWORD).pending is None
    assert staff.begin_enrolment(link_in(out)) is not None
    assert run("disable", "alice") == 0
    assert staff.begin_enrolment(link_in(out)) is None
    capsys.readouterr()
    assert run("list") == 0
    assert "disabled" in capsys.readouterr().out
    assert run("unlock", "nobody") == 1
    assert "no account called nobody" in capsys.readouterr().err
    assert run("reset-totp", "nobody") == 1
    actions = [(e.actor, e.action, e.target) for e in recent(staff.database)]
    assert ("command line", "account created", "alice") in actions
    assert ("command line", "account unlocked", "alice") in actions
    assert ("command line", "second factor reset", "alice") in actions
    assert ("command line", "account disabled", "alice") in actions
