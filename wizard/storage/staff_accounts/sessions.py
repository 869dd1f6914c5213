"""Signed in: the server-side session rows (idle and shift limits, at most so many at once), and what a signed-in
person changes about them (their password, their other sessions)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wizard.storage.audit import record
from wizard.storage.models import StaffSession, StaffUser
from wizard.storage.staff_accounts import passwords
from wizard.storage.staff_accounts.audit_trail import audit_detail
from wizard.storage.staff_accounts.base import AccountsBase
from wizard.storage.staff_accounts.policy import FORGET_SESSIONS_AFTER, TOUCH_EVERY
from wizard.storage.staff_accounts.results import SessionCheck, SessionInfo, StaffIdentity
from wizard.storage.staff_accounts.sign_in_sources import COMMAND_LINE_SOURCE, Source
from wizard.storage.staff_accounts.tokens import plausible_token, token_id


class Sessions(AccountsBase):
    """Session rows: opened at sign-in, renewed by use, ended by idle time, shift length, or the person."""

    def _open_session(self, session: Session, user: StaffUser, now: datetime, source: Source) -> str:
        token = secrets.token_urlsafe(32)
        session.add(
            StaffSession(id=token_id(token), user_id=user.id, created_at=now, last_seen_at=now, agent=source.agent)
        )
        session.execute(delete(StaffSession).where(StaffSession.last_seen_at < now - FORGET_SESSIONS_AFTER))
        session.flush()
        rows = session.scalars(
            select(StaffSession).where(StaffSession.user_id == user.id).order_by(StaffSession.created_at.desc())
        ).all()
        for old in rows[self.policy.max_sessions :]:
            session.delete(old)
            record(session, actor=user.username, action="signed out", detail="too many sessions: the oldest ended")
        record(session, actor=user.username, action="signed in", detail=audit_detail("", source))
        return token

    def change_password(
        self, user_id: int, session_token: object, current: str, new: str, source: Source = COMMAND_LINE_SOURCE
    ) -> str | None:
        """None when changed; otherwise what is wrong. Ends every other session of the account."""
        n = self.policy.scrypt_n
        with self.database.transaction() as session:
            user = session.scalar(select(StaffUser).where(StaffUser.id == user_id).with_for_update())
            if user is None or user.disabled:
                return "Your account cannot be changed now"
            if passwords.too_long(current) or not passwords.verify_password(current, user.password_hash):
                record(
                    session, actor=user.username, action="password change failed", detail=audit_detail("wrong", source)
                )
                return "Your current password is not right"
            problem = self.password_problem(user.username, new)
            if problem:
                return problem
            if passwords.verify_password(new, user.password_hash):
                return "Your new password must be different from your current one"
            user.password_hash = passwords.hash_password(new, n=n)
            keep = token_id(session_token) if isinstance(session_token, str) else ""
            ended = session.execute(
                delete(StaffSession).where(StaffSession.user_id == user.id, StaffSession.id != keep)
            ).rowcount
            record(
                session,
                actor=user.username,
                action="password changed",
                detail=audit_detail(f"{ended} other session(s) ended", source),
            )
            return None

    def sessions(self, user_id: int, current_token: object) -> list[SessionInfo]:
        current = token_id(current_token) if isinstance(current_token, str) else ""
        with self.database.transaction() as session:
            rows = session.scalars(
                select(StaffSession).where(StaffSession.user_id == user_id).order_by(StaffSession.created_at.desc())
            ).all()
            return [
                SessionInfo(r.created_at, r.last_seen_at, r.agent or "unknown browser", r.id == current) for r in rows
            ]

    def end_other_sessions(self, user_id: int, current_token: object) -> int:
        keep = token_id(current_token) if isinstance(current_token, str) else ""
        with self.database.transaction() as session:
            user = session.get(StaffUser, user_id)
            ended = session.execute(
                delete(StaffSession).where(StaffSession.user_id == user_id, StaffSession.id != keep)
            ).rowcount
            if user is not None:
                record(session, actor=user.username, action="signed out elsewhere", detail=f"{ended} session(s)")
            return ended

    def resume(self, token: object) -> SessionCheck:
        """The person a session token belongs to, if the session is still live."""
        if not plausible_token(token):
            return SessionCheck(None)
        now = self.clock()
        with self.database.transaction() as session:
            row = session.get(StaffSession, token_id(token))
            if row is None:
                return SessionCheck(None)
            user = session.get(StaffUser, row.user_id)
            if user is None or user.disabled or not user.totp_confirmed:
                session.delete(row)
                return SessionCheck(None)
            if now - row.created_at > timedelta(hours=self.policy.max_session_hours):
                session.delete(row)
                record(session, actor=user.username, action="signed out", detail="maximum session length")
                return SessionCheck(None, expired="maximum")
            if now - row.last_seen_at > timedelta(minutes=self.policy.idle_minutes):
                session.delete(row)
                record(session, actor=user.username, action="signed out", detail="after inactivity")
                return SessionCheck(None, expired="idle")
            touched = now - row.last_seen_at >= TOUCH_EVERY
            if touched:
                row.last_seen_at = now
            return SessionCheck(StaffIdentity(user.id, user.username), touched=touched)

    def end_session(self, token: object) -> None:
        if not isinstance(token, str):
            return
        with self.database.transaction() as session:
            row = session.get(StaffSession, token_id(token))
            if row is None:
                return
            user = session.get(StaffUser, row.user_id)
            session.delete(row)
            record(session, actor=user.username if user else "unknown", action="signed out")
