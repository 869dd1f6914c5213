"""Tables. Columns in the clear hold nothing personal: references, times, states,
staff usernames. Everything a person told us is in `sealed` (see crypto.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    # Stored without a zone (SQLite has none); every time in the database is UTC.
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class CallbackRequest(Base):
    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # SHA-256 of the form's one-time key: a second submission of the same form finds the first.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    handled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The partner site the request came through, if any (a configured id, not personal).
    partner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last time step whose code was accepted: a code works once.
    last_totp_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Wrong codes since the last successful sign-in. Not reset when a lock starts, so
    # the locks grow longer and end in one only the command line can lift.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    needs_unlock: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The latest lock, told to the person at their next sign-in, then cleared.
    locked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    locked_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    # SHA-256 of the random token in the staff cookie: a database copy cannot be replayed.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    # The browser family ("Firefox"), so the person can recognise their sessions.
    agent: Mapped[str | None] = mapped_column(String(32), nullable=True)


class StaffEnrolment(Base):
    """A single-use link to set a password and an authenticator, made by the command line."""

    __tablename__ = "staff_enrolments"

    # SHA-256 of the random token in the link: a database copy cannot be used.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class StaffPendingLogin(Base):
    """Half signed in: the password was right (or an enrolment link was opened) and the
    code is still to come. The cookie holds only a random token; this row is its SHA-256."""

    __tablename__ = "staff_pending_logins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Set while enrolling: the link being used and the new secret shown to this attempt only.
    enrolment_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff_enrolments.id", ondelete="CASCADE"), nullable=True, index=True
    )
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class StaffSourceThrottle(Base):
    """Wrong passwords for one account from one source. Only that source is slowed down,
    so a stranger who knows a username cannot lock its owner out."""

    __tablename__ = "staff_source_throttles"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True)
    # A keyed hash of the address, never the address itself.
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(String(255), default="")


class DirectoryService(Base):
    """A published service listing. Nothing personal: operators' public information.

    `record` holds the listing's fields as the pages use them, `document` the HSDS service as
    published (for the API and the export). The plain columns are what matching and the staff
    list filter on."""

    __tablename__ = "directory_services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # None: the operator's own directory; else the partner site's id.
    publisher: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(255))
    organization_name: Mapped[str] = mapped_column(String(255))
    country: Mapped[str] = mapped_column(String(2), index=True)
    assured_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Set by "mark as checked" in the staff console; the later of the two dates counts.
    staff_checked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    staff_checked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    import_id: Mapped[int] = mapped_column(Integer)
    record: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text)


class DirectoryImport(Base):
    """Every import tried, published or refused: when, by whom, from what, and what came of it."""

    __tablename__ = "directory_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    by: Mapped[str] = mapped_column(String(64))
    publisher: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(255))
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean)
    services: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)


class DirectoryReport(Base):
    """ "Report a problem with this listing": the kind and an optional note, nothing about who sent it."""

    __tablename__ = "directory_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    # The listing's name when reported, so a report outlives a listing removed by a later import.
    service_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DirectoryState(Base):
    """One row: a number that changes whenever the published directory does, so each server
    process knows when to reload its in-memory index (one small read, not the whole table)."""

    __tablename__ = "directory_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
