"""The audit log: who viewed, changed or exported what, and when. No personal data in it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wizard.storage.db import Database
from wizard.storage.models import AuditEvent, utcnow


def record(session: Session, *, actor: str, action: str, target: str | None = None, detail: str = "") -> None:
    """Add an event inside the caller's transaction, so the log and the change commit together."""
    session.add(AuditEvent(at=utcnow(), actor=actor, action=action, target=target, detail=detail[:255]))


def log(database: Database, *, actor: str, action: str, target: str | None = None, detail: str = "") -> None:
    with database.transaction() as session:
        record(session, actor=actor, action=action, target=target, detail=detail)


def recent(database: Database, *, limit: int = 200, offset: int = 0) -> list[AuditEvent]:
    with database.transaction() as session:
        query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
        return list(session.scalars(query).all())
