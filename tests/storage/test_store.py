"""CallbackStore on SQLite and on PostgreSQL: what is stored, once, sealed, and purged."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, Table, select, text, update

from wizard.storage import Database, Sealer, SealError
from wizard.storage.callbacks import CallbackStore
from wizard.storage.crypto import new_key
from wizard.storage.models import CallbackRequest, utcnow

KEY = new_key()

DETAILS = {
    "name": "Quintessa Marlowe-Brightwater",
    "phone": "+447911123456",
    "email": "quintessa.brightwater@example.org",
    "contact_method": "call",
    "best_time": "evening",
    "language": "pt",
    "leave_message": "no",
    "say_who": "no",
    "for_whom": "myself",
    "message": "Bitte ruft mich an – ما زلت أحاول 🌱\nsecond line",
    "summary": {"answers": {"who": "myself"}, "approaches": [], "interface_language": "en"},
}
PERSONAL = ("name", "phone", "email", "message")


def form_key() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def store(database):
    return CallbackStore(database, Sealer([KEY]))


def test_submit_and_get_round_trip(store):
    reference, new = store.submit(DETAILS, form_key=form_key(), partner="partner-one")
    assert new
    stored = store.get(reference)
    assert stored.reference == reference
    assert stored.details == DETAILS
    assert stored.status == "open"
    assert stored.partner == "partner-one"
    assert stored.handled_at is None
    assert stored.note is None
    assert store.get("ZZZZ-ZZZZ") is None


def test_the_same_form_twice_is_stored_once(store):
    key = form_key()
    first = store.submit(DETAILS, form_key=key)
    # The second copy may differ (a person edited the page and sent it again): the first one stands.
    second = store.submit({**DETAILS, "name": "Someone Else"}, form_key=key)
    assert first[0] == second[0]
    assert (first[1], second[1]) == (True, False)
    assert store.count() == 1
    assert store.get(first[0]).details["name"] == DETAILS["name"]


def test_concurrent_submits_of_one_form_store_one_row(store):
    key = form_key()
    threads_count = 8
    barrier = threading.Barrier(threads_count, timeout=30)
    results: list[tuple[str, bool]] = []
    failures: list[BaseException] = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(store.submit(DETAILS, form_key=key))
        except BaseException as exc:  # reported below, in the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert len(results) == threads_count
    assert len({reference for reference, _new in results}) == 1
    assert sum(new for _reference, new in results) == 1
    assert store.count() == 1


def test_list_is_newest_first_and_filters(store):
    references = [store.submit({**DETAILS, "name": f"Person {n}"}, form_key=form_key())[0] for n in range(5)]
    listed = store.list("all")
    assert [r.reference for r in listed] == references[::-1]
    assert [r.details["name"] for r in listed] == [f"Person {n}" for n in range(4, -1, -1)]
    assert [r.reference for r in store.list("all", limit=2, offset=1)] == references[3:1:-1]

    assert store.mark_handled(references[1], staff="sam", note="Called back")
    assert [r.reference for r in store.list("handled")] == [references[1]]
    assert references[1] not in [r.reference for r in store.list("open")]
    assert len(store.list("open")) == 4
    assert (store.count("open"), store.count("handled"), store.count("all")) == (4, 1, 5)

    # Staff type references as they hear them: any case, spaces, O for 0 and so on.
    wanted = references[2]
    typed = wanted.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert [r.reference for r in store.list("all", reference=typed)] == [wanted]
    assert store.list("handled", reference=wanted) == []
    assert store.list("all", reference="NOPE-NOPE") == []


def test_mark_handled_keeps_a_sealed_note(store, database):
    reference, _new = store.submit(DETAILS, form_key=form_key())
    assert store.mark_handled(reference, staff="sam", note="Left no message, as asked")
    stored = store.get(reference)
    assert stored.status == "handled"
    assert stored.handled_by == "sam"
    assert stored.handled_at is not None
    assert stored.note == "Left no message, as asked"
    assert not store.mark_handled("ZZZZ-ZZZZ", staff="sam", note="")
    with database.transaction() as session:
        note = session.execute(text("SELECT sealed_note FROM callback_requests")).scalar_one()
        actions = session.execute(text("SELECT action, target FROM audit_events")).all()
    assert b"Left no message" not in bytes(note)
    assert ("handled", reference) in [tuple(row) for row in actions]


def test_a_recorded_conversation_is_stored_handled_once_with_its_audit_event(store, database):
    details = {**DETAILS, "source": "conversation", "consent_recorded_by": "sam"}
    key = form_key()
    reference, new = store.record_conversation(details, staff="sam", note="Talked it through", form_key=key)
    again = store.record_conversation({**details, "name": "Other"}, staff="sam", note="Twice", form_key=key)
    assert new and again == (reference, False)
    stored = store.get(reference)
    assert stored.details == details
    assert (stored.status, stored.handled_by, stored.note) == ("handled", "sam", "Talked it through")
    assert stored.handled_at == stored.created_at
    assert store.count("handled") == 1 and store.count("open") == 0
    with database.transaction() as session:
        note = session.execute(text("SELECT sealed_note FROM callback_requests")).scalar_one()
        actions = session.execute(text("SELECT actor, action, target, detail FROM audit_events")).all()
    assert b"Talked it through" not in bytes(note)
    assert [tuple(row) for row in actions] == [("sam", "recorded", reference, "conversation")]
    # Without a note there is no sealed note at all; and it is purged like any handled request.
    other, _new = store.record_conversation(details, staff="sam", note="", form_key=form_key())
    assert store.get(other).note is None
    assert store.purge(timedelta(days=90), now=utcnow() + timedelta(days=91)) == 2


def test_purge_removes_only_handled_requests_older_than_the_limit(store, database):
    old_handled, recent_handled, old_open = (store.submit(DETAILS, form_key=form_key())[0] for _ in range(3))
    store.mark_handled(old_handled, staff="sam", note="")
    store.mark_handled(recent_handled, staff="sam", note="")
    now = utcnow()
    with database.transaction() as session:
        session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.reference == old_handled)
            .values(handled_at=now - timedelta(days=91))
        )
        session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.reference == recent_handled)
            .values(handled_at=now - timedelta(days=89))
        )
        session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.reference == old_open)
            .values(created_at=now - timedelta(days=400))
        )
    assert store.purge(timedelta(days=90), now=now) == 1
    assert store.get(old_handled) is None
    assert store.get(recent_handled) is not None
    assert store.get(old_open) is not None  # open requests wait for staff, however old
    # Three days later the other handled one has passed the limit too.
    assert store.purge(timedelta(days=90), now=now + timedelta(days=3)) == 1
    assert store.purge(timedelta(days=90), now=now + timedelta(days=3)) == 0
    assert [r.reference for r in store.list("all")] == [old_open]


def test_the_raw_rows_hold_nothing_personal(store, database):
    reference, _new = store.submit(DETAILS, form_key=form_key())
    store.mark_handled(reference, staff="sam", note="nothing personal here")
    # Read back from the database itself, not the model: every column there is, in the raw.
    table = Table("callback_requests", MetaData(), autoload_with=database.engine)
    assert "sealed" in table.columns
    with database.transaction() as session:
        rows = session.execute(select(table)).all()
        audit = session.execute(text("SELECT actor, action, target, detail FROM audit_events")).all()
    assert len(rows) == 1
    values = [*rows[0], *(value for row in audit for value in row)]
    for field in PERSONAL:
        secret = DETAILS[field]
        pieces = {secret, secret.split()[0], secret.split("@")[0], secret[-6:]}
        for value in values:
            if isinstance(value, bytes | bytearray | memoryview):
                raw = bytes(value)
                for piece in pieces:
                    assert piece.encode("utf-8") not in raw, f"{field} readable in a stored value"
            elif isinstance(value, str):
                for piece in pieces:
                    assert piece not in value, f"{field} readable in a stored value"


def test_a_sealed_value_copied_onto_another_row_is_refused(store, database):
    first, _new = store.submit(DETAILS, form_key=form_key())
    second, _new = store.submit({**DETAILS, "name": "Other Person"}, form_key=form_key())
    with database.transaction() as session:
        sealed = session.execute(
            text("SELECT sealed FROM callback_requests WHERE reference = :r"), {"r": first}
        ).scalar_one()
        session.execute(
            text("UPDATE callback_requests SET sealed = :s WHERE reference = :r"), {"s": bytes(sealed), "r": second}
        )
    with pytest.raises(SealError):
        store.get(second)
    assert store.get(first).details == DETAILS


def test_the_wrong_key_cannot_open_a_request(store, database):
    reference, _new = store.submit(DETAILS, form_key=form_key())
    other = CallbackStore(database, Sealer([new_key()]))
    with pytest.raises(SealError):
        other.get(reference)
    # With the old key second in the list (a key rotation), it opens again.
    rotated = CallbackStore(database, Sealer([new_key(), KEY]))
    assert rotated.get(reference).details == DETAILS


def test_migrating_twice_changes_nothing(store, database):
    reference, _new = store.submit(DETAILS, form_key=form_key())
    with database.transaction() as session:
        before = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    database.migrate()
    with database.transaction() as session:
        after = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert before == after
    assert len(after) == 1
    assert store.get(reference).details == DETAILS


def test_two_servers_migrating_at_once_both_succeed(database_url):
    # Every server process migrates as it starts; on PostgreSQL an advisory lock keeps them
    # from creating the same tables at once (SQLite serialises them with BEGIN IMMEDIATE, and
    # switching a new file to WAL is retried while the other process holds it).
    # Two engines stand for two processes: each has connections of its own.
    databases = [Database(database_url) for _ in range(2)]
    barrier = threading.Barrier(len(databases), timeout=30)
    failures: list[BaseException] = []

    def migrate(database: Database) -> None:
        try:
            barrier.wait()
            database.migrate()
        except BaseException as exc:  # reported below, in the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=migrate, args=(database,)) for database in databases]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not failures, failures
        store = CallbackStore(databases[0], Sealer([KEY]))
        reference, _new = store.submit(DETAILS, form_key=form_key())
        assert store.get(reference).details == DETAILS
        with databases[1].transaction() as session:
            assert len(session.execute(text("SELECT version_num FROM alembic_version")).all()) == 1
    finally:
        for database in databases:
            database.dispose()


# --- I5: each sealed value is bound to its purpose as well as its reference ----------------------------------------


def swap_sealed_columns(database, reference: str) -> None:
    """A database writer swaps a request's two sealed values (details and staff note)."""
    with database.transaction() as session:
        session.execute(
            text("UPDATE callback_requests SET sealed = sealed_note, sealed_note = sealed WHERE reference = :r"),
            {"r": reference},
        )


def test_the_details_and_the_note_of_a_request_cannot_be_swapped(store, database):
    reference, _new = store.submit(DETAILS, form_key=form_key())
    store.mark_handled(reference, staff="sam", note="Called back.")
    swap_sealed_columns(database, reference)
    with pytest.raises(SealError, match="another field"):
        store.get(reference)
    unreadable = store.get(reference, mark_unreadable=True)
    assert not unreadable.readable and unreadable.details == {} and unreadable.note is None


def test_a_sealed_value_is_refused_for_another_purpose():
    sealer = Sealer([KEY])
    token = sealer.seal({"a": 1}, bound_to="ABCD-1234", purpose="callback-details")
    assert sealer.open(token, bound_to="ABCD-1234", purpose="callback-details") == {"a": 1}
    for other in ("callback-note", None):
        with pytest.raises(SealError):
            sealer.open(token, bound_to="ABCD-1234", purpose=other)
    note = sealer.seal_text("hello", bound_to="ABCD-1234", purpose="callback-note")
    with pytest.raises(SealError):
        sealer.open(note, bound_to="ABCD-1234", purpose="callback-details")


def test_requests_sealed_before_purposes_were_added_still_open(store, database):
    # The format written before I5: the reference only, no purpose.
    reference, _new = store.submit(DETAILS, form_key=form_key())
    legacy = Sealer([KEY])
    with database.transaction() as session:
        session.execute(
            text("UPDATE callback_requests SET sealed = :s, sealed_note = :n, status = 'handled' WHERE reference = :r"),
            {
                "s": legacy.seal(DETAILS, bound_to=reference),
                "n": legacy.seal_text("Old note.", bound_to=reference),
                "r": reference,
            },
        )
    stored = store.get(reference)
    assert stored.readable and stored.details == DETAILS and stored.note == "Old note."
    # A legacy value is still bound to its record.
    other, _new = store.submit(DETAILS, form_key=form_key())
    with database.transaction() as session:
        session.execute(
            text("UPDATE callback_requests SET sealed = :s WHERE reference = :r"),
            {"s": legacy.seal(DETAILS, bound_to=reference), "r": other},
        )
    with pytest.raises(SealError):
        store.get(other)


# --- L9: listing copes with a row that cannot be opened ------------------------------------------------------------


def test_list_marks_a_request_that_cannot_be_opened_and_shows_the_rest(store, database):
    first, _new = store.submit(DETAILS, form_key=form_key())
    second, _new = store.submit({**DETAILS, "name": "Other Person"}, form_key=form_key())
    lost, _new = CallbackStore(database, Sealer([new_key()])).submit(DETAILS, form_key=form_key())
    with database.transaction() as session:
        sealed = session.execute(
            text("SELECT sealed FROM callback_requests WHERE reference = :r"), {"r": first}
        ).scalar_one()
        session.execute(
            text("UPDATE callback_requests SET sealed = :s WHERE reference = :r"), {"s": bytes(sealed), "r": second}
        )
    listed = {item.reference: item for item in store.list("all")}
    assert listed[first].readable and listed[first].details == DETAILS
    assert not listed[second].readable and listed[second].details == {} and listed[second].status == "open"
    assert not listed[lost].readable
    assert sorted(store.unreadable("open")) == sorted(
        [
            (second, "sealed value belongs to another record"),
            (lost, "sealed value cannot be opened with the configured keys"),
        ]
    )
    assert store.unreadable("handled") == []


# --- I6: an upper bound for open requests --------------------------------------------------------------------------


def test_purge_open_closes_and_deletes_only_open_requests_older_than_the_limit(store, database):
    old_open, recent_open, old_handled = (store.submit(DETAILS, form_key=form_key())[0] for _ in range(3))
    store.mark_handled(old_handled, staff="sam", note="")
    now = utcnow()
    with database.transaction() as session:
        for reference, days in ((old_open, 181), (recent_open, 179), (old_handled, 400)):
            session.execute(
                update(CallbackRequest)
                .where(CallbackRequest.reference == reference)
                .values(created_at=now - timedelta(days=days))
            )
    removed = store.purge_open(timedelta(days=180), reason="  No answer after\n6 months  ", now=now)
    assert removed == [old_open]
    assert store.get(old_open) is None
    assert store.get(recent_open) is not None and store.get(old_handled) is not None
    with database.transaction() as session:
        audit = session.execute(text("SELECT actor, action, target, detail FROM audit_events")).all()
    assert ("system", "closed unhandled", old_open, "No answer after 6 months") in audit
    cutoff = f"{now - timedelta(days=180):%Y-%m-%d}"
    assert ("system", "purged", None, f"1 open request(s) received before {cutoff}: No answer after 6 months") in audit
    assert store.purge_open(timedelta(days=180), reason="again", now=now) == []


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_purge_open_needs_a_short_reason(store, reason):
    reference, _new = store.submit(DETAILS, form_key=form_key())
    with pytest.raises(ValueError, match="reason"):
        store.purge_open(timedelta(days=0), reason=reason, now=utcnow() + timedelta(days=1))
    assert store.get(reference) is not None
