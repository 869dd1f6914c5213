"""`python -m wizard staff ...`: accounts are made and managed only from the command line."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from wizard import create_app
from wizard.cli import main
from wizard.storage.audit import recent
from wizard.storage.models import StaffUser

PASSWORD = "a long enough password"


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    # The command line builds the app from the environment, as on a server.
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(*argv: str, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exited:
        main(["staff", *argv])
    return exited.value.code


def accounts(url: str):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url}).extensions["staff_accounts"]


def test_create_reads_the_password_from_stdin(database_url, monkeypatch, capsys):
    assert run("create", "Alice", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    assert "Created the account alice" in capsys.readouterr().out
    staff = accounts(database_url)
    assert staff.check_password("alice", PASSWORD).user is not None
    # With the production cost, whatever the tests use elsewhere.
    with staff.database.transaction() as session:
        assert session.scalar(select(StaffUser.password_hash)).startswith("scrypt$n=32768,r=8,p=1$")


def test_create_asks_twice_and_refuses_a_mismatch(database_url, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert run("create", "alice") == 1
    assert "not the same" in capsys.readouterr().err
    assert accounts(database_url).list() == []
    answers = iter([PASSWORD, PASSWORD])
    assert run("create", "alice") == 0


def test_create_refuses_short_passwords_and_duplicates(database_url, monkeypatch, capsys):
    assert run("create", "alice", "--password-stdin", stdin="short\n", monkeypatch=monkeypatch) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert run("create", "alice", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    assert run("create", "ALICE", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 1
    assert "already an account called alice" in capsys.readouterr().err


def test_list_unlock_reset_and_disable(database_url, monkeypatch, capsys):
    assert run("list") == 0
    assert "There are no staff accounts" in capsys.readouterr().out
    run("create", "alice", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    staff = accounts(database_url)
    for _ in range(5):
        staff.check_password("alice", "not the password")
    capsys.readouterr()
    assert run("list") == 0
    listing = capsys.readouterr().out
    assert "alice" in listing and "locked until" in listing and "not set up" in listing
    assert run("unlock", "alice") == 0
    assert staff.check_password("alice", PASSWORD).user is not None
    assert run("reset-totp", "alice") == 0
    assert run("disable", "alice") == 0
    assert staff.check_password("alice", PASSWORD).user is None
    capsys.readouterr()
    assert run("list") == 0
    assert "disabled" in capsys.readouterr().out
    assert run("unlock", "nobody") == 1
    assert "no account called nobody" in capsys.readouterr().err
    actions = [(e.actor, e.action, e.target) for e in recent(staff.database)]
    assert ("command line", "account created", "alice") in actions
    assert ("command line", "account unlocked", "alice") in actions
    assert ("command line", "second factor reset", "alice") in actions
    assert ("command line", "account disabled", "alice") in actions
