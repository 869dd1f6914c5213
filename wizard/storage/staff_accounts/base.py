"""What every part of the account service shares: its database, sealer, policy and clock, and the look-ups of an
account and of a half-signed-in state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wizard.storage import Database, Sealer
from wizard.storage.models import StaffPendingLogin, StaffUser, utcnow
from wizard.storage.staff_accounts.policy import ENROLMENT_PENDING_LIFETIME, PENDING_LIFETIME, Policy
from wizard.storage.staff_accounts.tokens import USERNAME, normalise_username, plausible_token, token_id


class AccountsBase:
    """The state and look-ups the parts of Accounts share."""

    def __init__(
        self, database: Database, sealer: Sealer, policy: Policy | None = None, clock: Callable[[], datetime] = utcnow
    ):
        self.database = database
        self.sealer = sealer
        self.policy = policy or Policy()
        self.clock = clock

    def _find(self, session: Session, username: str, *, lock: bool = False) -> StaffUser | None:
        name = normalise_username(username)
        if not USERNAME.match(name):
            return None
        query = select(StaffUser).where(StaffUser.username == name)
        # FOR UPDATE: on PostgreSQL, two requests for one account take turns, so a code
        # is accepted once and no failure is lost. SQLite's BEGIN IMMEDIATE already does.
        return session.scalar(query.with_for_update() if lock else query)

    def _locked(self, user: StaffUser, now: datetime) -> bool:
        return user.needs_unlock or (user.locked_until is not None and user.locked_until > now)

    def _pending(self, session: Session, token: object, now: datetime, *, enrolling: bool) -> StaffPendingLogin | None:
        if not plausible_token(token):
            return None
        row = session.get(StaffPendingLogin, token_id(token))
        if row is None or (row.enrolment_id is not None) is not enrolling:
            return None
        lifetime = ENROLMENT_PENDING_LIFETIME if enrolling else PENDING_LIFETIME
        if now - row.created_at > lifetime:
            session.delete(row)
            return None
        return row
