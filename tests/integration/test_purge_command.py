"""`python -m wizard requests purge --older-than 90d` against the database the app uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from wizard import create_app
from wizard.cli import main
from wizard.storage.models import CallbackRequest, utcnow


def test_purge_deletes_only_requests_handled_longer_ago_than_the_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'purge.sqlite3'}")
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    store, database = app.extensions["callbacks"], app.extensions["database"]
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
