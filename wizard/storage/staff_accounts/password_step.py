"""The first step of signing in: the password, with the per-source throttle, and the half-signed-in state it opens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete
from sqlalchemy.orm import Session

from wizard.storage.audit import record
from wizard.storage.models import StaffPendingLogin, StaffSourceThrottle, StaffUser
from wizard.storage.staff_accounts import passwords
from wizard.storage.staff_accounts.audit_trail import audit_detail
from wizard.storage.staff_accounts.base import AccountsBase
from wizard.storage.staff_accounts.policy import ENROLMENT_PENDING_LIFETIME, PENDING_LIFETIME
from wizard.storage.staff_accounts.results import PasswordCheck
from wizard.storage.staff_accounts.sign_in_sources import COMMAND_LINE_SOURCE, Source
from wizard.storage.staff_accounts.tokens import plausible_token, token_id


class PasswordStep(AccountsBase):
    """Sign-in, first step: the password. Refusals all look alike and take the same time."""

    def _source_blocked(self, session: Session, user: StaffUser, source: Source, now: datetime) -> bool:
        row = session.get(StaffSourceThrottle, (user.id, source.key))
        return row is not None and row.blocked_until is not None and row.blocked_until > now

    def _password_failed(self, session: Session, user: StaffUser, source: Source, now: datetime) -> None:
        """Slow down this source for this account only: the owner, elsewhere, is not affected."""
        window = timedelta(minutes=self.policy.lockout_minutes)
        row = session.get(StaffSourceThrottle, (user.id, source.key))
        if row is None or row.first_failed_at < now - window:
            if row is not None:
                session.delete(row)
                session.flush()
            row = StaffSourceThrottle(user_id=user.id, source=source.key, failures=0, first_failed_at=now)
            session.add(row)
        row.failures += 1
        # Counts from other sources that have long stopped trying are of no use.
        session.execute(
            delete(StaffSourceThrottle).where(
                StaffSourceThrottle.first_failed_at < now - timedelta(days=1),
                (StaffSourceThrottle.blocked_until.is_(None)) | (StaffSourceThrottle.blocked_until < now),
            )
        )
        record(session, actor=user.username, action="sign-in failed", detail=audit_detail("wrong password", source))
        if row.failures >= self.policy.lockout_attempts:
            row.blocked_until = now + window
            row.failures = 0
            row.first_failed_at = now
            record(
                session,
                actor=user.username,
                action="source throttled",
                detail=audit_detail(
                    f"{self.policy.lockout_attempts} wrong passwords; this source waits "
                    f"{self.policy.lockout_minutes} minutes",
                    source,
                ),
            )

    def check_password(self, username: str, password: str, source: Source = COMMAND_LINE_SOURCE) -> PasswordCheck:
        """The first step. On success, a half-signed-in token for the code step."""
        n = self.policy.scrypt_n
        if not isinstance(password, str) or passwords.too_long(password):
            # Refused before the account is looked up, for every name alike, and after the
            # same work as any other refusal: the answer time tells nothing (L3).
            passwords.burn_time(password[: passwords.MAX_PASSWORD_LENGTH] if isinstance(password, str) else "", n=n)
            return PasswordCheck(None)
        now = self.clock()
        with self.database.transaction() as session:
            user = self._find(session, username, lock=True)
            if user is None:
                passwords.burn_time(password, n=n)
                # Only names of real accounts go in the log: a mistyped password in the
                # username box must not end up there.
                record(
                    session, actor="unknown", action="sign-in failed", detail=audit_detail("unknown username", source)
                )
                return PasswordCheck(None)
            refusal = None
            if user.disabled:
                refusal = "account disabled"
            elif self._locked(user, now):
                refusal = "account locked"
            elif not user.totp_confirmed:
                # Setting up needs the enrolment link: a password never opens it (H1).
                refusal = "not set up yet"
            elif self._source_blocked(session, user, source, now):
                refusal = "source throttled"
            if refusal:
                passwords.burn_time(password, n=n)
                record(session, actor=user.username, action="sign-in failed", detail=audit_detail(refusal, source))
                return PasswordCheck(None)
            if not passwords.verify_password(password, user.password_hash):
                self._password_failed(session, user, source, now)
                return PasswordCheck(None)
            if passwords.needs_rehash(user.password_hash, n=n):
                user.password_hash = passwords.hash_password(password, n=n)
            session.execute(
                delete(StaffSourceThrottle).where(
                    StaffSourceThrottle.user_id == user.id, StaffSourceThrottle.source == source.key
                )
            )
            return PasswordCheck(self._new_pending(session, user, now))

    def _new_pending(self, session: Session, user: StaffUser, now: datetime, **fields) -> str:
        token = secrets.token_urlsafe(32)
        session.add(StaffPendingLogin(id=token_id(token), user_id=user.id, created_at=now, **fields))
        # Half-finished sign-ins from long ago are of no use to anyone.
        session.execute(delete(StaffPendingLogin).where(StaffPendingLogin.created_at < now - timedelta(hours=1)))
        return token

    def pending_state(self, token: object, *, enrolling: bool) -> Literal["live", "expired", "none"]:
        """Whether a half-signed-in token is still usable (for the pages to say so)."""
        if not plausible_token(token):
            return "none"
        now = self.clock()
        with self.database.transaction() as session:
            row = session.get(StaffPendingLogin, token_id(token))
            if row is None or (row.enrolment_id is not None) is not enrolling:
                return "none"
            lifetime = ENROLMENT_PENDING_LIFETIME if enrolling else PENDING_LIFETIME
            if now - row.created_at > lifetime:
                session.delete(row)
                return "expired"
            return "live"
