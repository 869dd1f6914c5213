"""`python -m wizard requests purge --older-than 90d` (and `--open-older-than 180d --reason ...`) against the
database the app uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from wizard import create_app
from wizard.cli import main
from wizard.storage.audit import recent
from wizard.storage.models import CallbackRequest, utcnow


def test_purge_deletes_only_requests_handled_longer_ago_than_the_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'purge.sqlite3'}")
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    store, database = app.extensions["services"].callbacks, app.extensions["services"].database
    details = {"name": "Sam", "summary": {}}
    old_handled, _ = store.submit(details, form_key="a" * 24)
    recent_handled, _ = store.submit(details, form_key="b" * 24)
    old_open, _ = store.submit(details, form_key="c" * 24)
    store.mark_handled(old_handled, staff="kim", note="")
    store.mark_handled(recent_handled, staff="kim", note="")
    long_ago = utcnow() - timedelta(days=91)
    with database.transaction() as session:
        session.execute(
            update(CallbackRequest).where(CallbackRequest.reference == old_handled).values(handled_at=long_ago)
        )
        session.execute(
            update(CallbackRequest).where(CallbackRequest.reference == old_open).values(created_at=long_ago)
        )

    with pytest.raises(SystemExit) as finished:
        main(["requests", "purge", "--older-than", "90d"])
    assert finished.value.code == 0
    assert "Deleted 1 request(s) handled more than 90 day(s) ago." in capsys.readouterr().out
    assert store.get(old_handled) is None
    assert store.get(recent_handled) is not None
    # Open requests are never purged, however old: someone is still waiting.
    assert store.get(old_open) is not None


def test_purge_needs_a_limit(capsys):
    with pytest.raises(SystemExit) as finished:
        main(["requests", "purge"])
    assert finished.value.code == 2
    assert "--older-than" in capsys.readouterr().err


def test_purge_can_close_open_requests_past_an_upper_bound_with_a_reason(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'purge.sqlite3'}")
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    store, database = app.extensions["services"].callbacks, app.extensions["services"].database
    details = {"name": "Sam", "summary": {}}
    stale, _ = store.submit(details, form_key="a" * 24)
    waiting, _ = store.submit(details, form_key="b" * 24)
    old_handled, _ = store.submit(details, form_key="c" * 24)
    store.mark_handled(old_handled, staff="kim", note="")
    long_ago = utcnow() - timedelta(days=181)
    with database.transaction() as session:
        session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.reference.in_([stale, old_handled]))
            .values(created_at=long_ago)
        )

    with pytest.raises(SystemExit) as finished:
        main(["requests", "purge", "--open-older-than", "180d", "--reason", "No answer after 6 months"])
    assert finished.value.code == 0
    out = capsys.readouterr().out
    assert "Closed and deleted 1 open request(s) received more than 180 day(s) ago, never handled." in out
    assert f"  {stale}" in out and waiting not in out
    assert store.get(stale) is None
    assert store.get(waiting) is not None
    # Handled requests follow --older-than, which was not given.
    assert store.get(old_handled) is not None
    events = [(e.actor, e.action, e.target, e.detail) for e in recent(database)]
    assert ("system", "closed unhandled", stale, "No answer after 6 months") in events
    assert "Sam" not in " ".join(str(part) for event in events for part in event)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--open-older-than", "180d"], "--open-older-than needs --reason"),
        (["--open-older-than", "180d", "--reason", "  "], "--open-older-than needs --reason"),
        (["--open-older-than", "180d", "--reason", "x" * 201], "the reason must be 200 characters or fewer"),
        (["--open-older-than", "half a year", "--reason", "x"], "like 90d or 36h"),
        (["--open-older-than", "18h", "--reason", "typo for 180d"], "--open-older-than must be at least 30 day(s)"),
    ],
)
def test_closing_open_requests_needs_a_reason_and_a_limit(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'purge.sqlite3'}")
    store = create_app({"TESTING": True, "SECRET_KEY": "x"}).extensions["services"].callbacks
    reference, _ = store.submit({"name": "Sam", "summary": {}}, form_key="a" * 24)
    with pytest.raises(SystemExit) as finished:
        main(["requests", "purge", *argv])
    assert finished.value.code == 2
    assert message in capsys.readouterr().err
    assert store.get(reference) is not None
