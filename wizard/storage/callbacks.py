"""Call-back requests: stored once per form, sealed, listed and handled by staff, purged."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from wizard.storage.audit import record
from wizard.storage.crypto import Sealer, SealError
from wizard.storage.db import Database
from wizard.storage.failures import RETRYABLE, OutcomeUnknown, classify
from wizard.storage.models import CallbackRequest, utcnow

# Crockford's base32 without I, L, O, U: easy to read out over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
Status = Literal["open", "handled", "all"]
# What each sealed column holds, sealed with the value so the two cannot be swapped (I5).
DETAILS_PURPOSE = "callback-details"
NOTE_PURPOSE = "callback-note"
# Enough for an operator to say why open requests were closed unread, short enough for the audit log.
REASON_MAX = 200

log = logging.getLogger(__name__)
# A dropped connection is tried again this many times, after these pauses (seconds).
RETRIES = 2
RETRY_PAUSES = (0.1, 0.3)


def _unsealed_columns(row: CallbackRequest) -> dict:
    """What staff see of a request without opening anything sealed."""
    return {
        "reference": row.reference,
        "created_at": row.created_at,
        "status": row.status,
        "handled_at": row.handled_at,
        "handled_by": row.handled_by,
        "partner": row.partner,
    }


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str:
    """What someone types for a reference (any case, spaces, O for 0) in its stored form."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return f"{cleaned[:4]}-{cleaned[4:8]}" if len(cleaned) == 8 else cleaned[:16]


def key_digest(form_key: str) -> str:
    return hashlib.sha256(form_key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredRequest:
    reference: str
    created_at: datetime
    status: str
    handled_at: datetime | None
    handled_by: str | None
    partner: str | None
    details: dict
    note: str | None
    # False when a sealed value could not be opened (a removed key, or a value moved between
    # records): details and note are then empty, and staff see that it cannot be opened.
    readable: bool = True


class RecordSealer:
    """The store's view of the sealer: `seal`/`open` are for a request's details and
    `seal_text`/`open_text` for a staff note, each bound to that purpose as well as to the
    reference, so a database writer cannot swap the two columns of a row."""

    def __init__(self, sealer: Sealer):
        self.keys = sealer

    def seal(self, data: dict, *, bound_to: str) -> bytes:
        return self.keys.seal(data, bound_to=bound_to, purpose=DETAILS_PURPOSE)

    def open(self, token: bytes, *, bound_to: str) -> dict:
        return self.keys.open(token, bound_to=bound_to, purpose=DETAILS_PURPOSE)

    def seal_text(self, text: str, *, bound_to: str) -> bytes:
        return self.keys.seal_text(text, bound_to=bound_to, purpose=NOTE_PURPOSE)

    def open_text(self, token: bytes, *, bound_to: str) -> str:
        return self.keys.open_text(token, bound_to=bound_to, purpose=NOTE_PURPOSE)


class CallbackStore:
    def __init__(self, database: Database, sealer: Sealer):
        self.database = database
        self.sealer = RecordSealer(sealer)

    # --- the public side ------------------------------------------------------------

    def submit(self, details: dict, *, form_key: str, partner: str | None = None) -> tuple[str, bool]:
        """Store a request once per form key. Returns (reference, newly stored).

        Returns only after the commit: the caller may then tell the person it is saved.
        """

        def row(reference: str, digest: str) -> CallbackRequest:
            return CallbackRequest(
                reference=reference,
                idempotency_key=digest,
                created_at=utcnow(),
                status="open",
                partner=partner,
                sealed=self.sealer.seal(details, bound_to=reference),
            )

        return self._store_once(form_key, row)

    def _store_once(self, form_key: str, make_row, also=None) -> tuple[str, bool]:
        """Insert the row `make_row(reference, key digest)` unless this form key is stored already.

        Returns (reference, newly stored) after the commit. `also(session, reference)` runs
        in the same transaction (an audit event that must not exist without its row).

        A connection that drops (a database restart, a failover) is tried again, at most
        RETRIES times, each time looking for the form key first: the dropped attempt may
        have been committed. When that cannot be settled, OutcomeUnknown says so.
        """
        digest = key_digest(form_key)
        maybe_written = False
        retries = 0
        conflicts = 0
        while True:
            stage = "connect"
            try:
                # One transaction looks for the key and inserts: on SQLite one wait for the
                # write lock, not two.
                with self.database.transaction() as session:
                    stage = "write"
                    existing = session.scalar(
                        select(CallbackRequest.reference).where(CallbackRequest.idempotency_key == digest)
                    )
                    if existing:
                        return existing, False
                    reference = new_reference()
                    row = make_row(reference, digest)
                    session.add(row)
                    if also is not None:
                        also(session, reference)
                    session.flush()
                    # Leaving the block commits: a failure from here on may have been committed.
                    stage = "commit"
                self.database.writes.succeeded()
                return reference, True
            except IntegrityError:
                # Either the same form arrived twice at once (the loop finds it) or,
                # very rarely, the random reference was taken (the loop draws another).
                conflicts += 1
                if conflicts >= 5:
                    raise RuntimeError("could not store the request after several attempts") from None
            except DBAPIError as exc:
                failure = classify(exc)
                maybe_written = maybe_written or (stage == "commit" and failure.maybe_written)
                if failure.kind not in RETRYABLE or retries >= RETRIES:
                    self.database.writes.failed(failure.kind)
                    if maybe_written:
                        raise OutcomeUnknown(failure) from exc
                    raise
                time.sleep(RETRY_PAUSES[retries])
                retries += 1

    def _reference_for(self, digest: str) -> str | None:
        with self.database.transaction() as session:
            return session.scalar(select(CallbackRequest.reference).where(CallbackRequest.idempotency_key == digest))

    # --- the staff side -------------------------------------------------------------

    def _open(self, row: CallbackRequest) -> StoredRequest:
        """Raises SealError when a sealed value cannot be opened."""
        note = None
        if row.sealed_note is not None:
            note = self.sealer.open_text(row.sealed_note, bound_to=row.reference)
        return StoredRequest(
            **_unsealed_columns(row), details=self.sealer.open(row.sealed, bound_to=row.reference), note=note
        )

    def _open_or_mark(self, row: CallbackRequest) -> StoredRequest:
        """The request, or, if it cannot be opened, its unsealed columns marked unreadable.

        One damaged row must not hide every other request from staff. The reference and the
        reason are logged (no personal data: nothing sealed was read).
        """
        try:
            return self._open(row)
        except SealError as exc:
            log.error("Call-back request %s cannot be opened: %s", row.reference, exc)
            return StoredRequest(**_unsealed_columns(row), details={}, note=None, readable=False)

    def get(self, reference: str, *, mark_unreadable: bool = False) -> StoredRequest | None:
        """The request, or None. A sealed value that cannot be opened raises SealError, or with
        `mark_unreadable` gives the request with `readable` False (what staff pages want)."""
        with self.database.transaction() as session:
            row = session.scalar(select(CallbackRequest).where(CallbackRequest.reference == reference))
            if row is None:
                return None
            return self._open_or_mark(row) if mark_unreadable else self._open(row)

    def list(self, status: Status = "open", *, reference: str = "", limit: int = 50, offset: int = 0):
        """Newest first. A request that cannot be opened is listed with `readable` False."""
        query = select(CallbackRequest)
        if status != "all":
            query = query.where(CallbackRequest.status == status)
        if reference:
            query = query.where(CallbackRequest.reference == normalise_reference(reference))
        query = query.order_by(CallbackRequest.created_at.desc(), CallbackRequest.id.desc())
        with self.database.transaction() as session:
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            return [self._open_or_mark(row) for row in rows]

    def unreadable(self, status: Status = "open", *, batch: int = 500) -> list[tuple[str, str]]:
        """(reference, reason) for each request that the configured keys cannot open.

        Run before removing an old key from DATA_KEYS: an open request listed here would be
        lost to staff. Nothing is logged or changed.
        """
        found: list[tuple[str, str]] = []
        query = select(CallbackRequest).order_by(CallbackRequest.id)
        if status != "all":
            query = query.where(CallbackRequest.status == status)
        offset = 0
        while True:
            with self.database.transaction() as session:
                rows = session.scalars(query.limit(batch).offset(offset)).all()
                for row in rows:
                    try:
                        self._open(row)
                    except SealError as exc:
                        found.append((row.reference, str(exc)))
            if len(rows) < batch:
                return found
            offset += batch

    def count(self, status: Status = "all") -> int:
        query = select(func.count(CallbackRequest.id))
        if status != "all":
            query = query.where(CallbackRequest.status == status)
        with self.database.transaction() as session:
            return session.scalar(query) or 0

    def record_conversation(self, details: dict, *, staff: str, note: str, form_key: str) -> tuple[str, bool]:
        """Keep a record of a conversation staff had with a caller (who agreed to it).

        Stored already handled, by `staff`, with the note sealed like any handling note, once
        per form key as `submit` does. Returns (reference, newly stored); the audit event
        "recorded" is written in the same transaction as the record.
        """

        def row(reference: str, digest: str) -> CallbackRequest:
            now = utcnow()
            return CallbackRequest(
                reference=reference,
                idempotency_key=digest,
                created_at=now,
                status="handled",
                handled_at=now,
                handled_by=staff,
                partner=None,
                sealed=self.sealer.seal(details, bound_to=reference),
                sealed_note=self.sealer.seal_text(note, bound_to=reference) if note else None,
            )

        def audit(session, reference: str) -> None:
            record(session, actor=staff, action="recorded", target=reference, detail="conversation")

        return self._store_once(form_key, row, also=audit)

    def mark_handled(self, reference: str, *, staff: str, note: str) -> bool:
        with self.database.transaction() as session:
            row = session.scalar(select(CallbackRequest).where(CallbackRequest.reference == reference))
            if row is None:
                return False
            row.status = "handled"
            row.handled_at = utcnow()
            row.handled_by = staff
            row.sealed_note = self.sealer.seal_text(note, bound_to=reference) if note else None
            record(session, actor=staff, action="handled", target=reference)
            return True

    def purge(self, older_than: timedelta, *, now: datetime | None = None) -> int:
        """Delete handled requests that were handled longer ago than `older_than`."""
        cutoff = (now or utcnow()) - older_than
        with self.database.transaction() as session:
            result = session.execute(
                delete(CallbackRequest).where(CallbackRequest.status == "handled", CallbackRequest.handled_at < cutoff)
            )
            removed = result.rowcount or 0
            record(
                session,
                actor="system",
                action="purged",
                detail=f"{removed} handled request(s) older than {cutoff:%Y-%m-%d}",
            )
            return removed

    def purge_open(self, older_than: timedelta, *, reason: str, now: datetime | None = None) -> list[str]:
        """Close and delete open requests received longer ago than `older_than`, for `reason`.

        The upper bound on how long an unanswered request is kept. Each one is recorded in the
        audit log by reference with the reason, so staff can tell someone who calls about it
        what happened. Returns the references removed.
        """
        reason = " ".join(reason.split())
        if not reason:
            raise ValueError("a reason is needed to purge open requests")
        if len(reason) > REASON_MAX:
            raise ValueError(f"the reason must be {REASON_MAX} characters or fewer")
        cutoff = (now or utcnow()) - older_than
        stale = (CallbackRequest.status == "open", CallbackRequest.created_at < cutoff)
        with self.database.transaction() as session:
            references = list(session.scalars(select(CallbackRequest.reference).where(*stale)).all())
            session.execute(delete(CallbackRequest).where(*stale, CallbackRequest.reference.in_(references)))
            for reference in references:
                record(session, actor="system", action="closed unhandled", target=reference, detail=reason)
            record(
                session,
                actor="system",
                action="purged",
                detail=f"{len(references)} open request(s) received before {cutoff:%Y-%m-%d}: {reason}",
            )
            return references
