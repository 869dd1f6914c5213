"""Staff accounts: passwords, the TOTP second factor, lockout and server-side sessions.

Nothing here imports Flask, so the command line and the tests use it directly.
Every sign-in event is written to the audit log in the same transaction as the
change it describes. The clock is injected so tests can move time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..storage import Database, Sealer
from ..storage.audit import record
from ..storage.models import StaffSession, StaffUser, utcnow
from . import passwords

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
TOTP_PERIOD = 30
# Codes from the step before and after now are accepted too: phone clocks drift.
TOTP_DRIFT_STEPS = 1
# Between the password and the code: after this, start again.
PENDING_LIFETIME = timedelta(minutes=5)
# last_seen_at is written at most this often: a read should not always be a write.
TOUCH_EVERY = timedelta(minutes=1)
# Rows this old are deleted. Until then an idle session is still recognised, so the
# person can be told they were signed out for inactivity (see sessions.py).
FORGET_SESSIONS_AFTER = timedelta(hours=12)
COMMAND_LINE = "command line"


class AccountError(ValueError):
    """A command-line request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Policy:
    scrypt_n: int = passwords.DEFAULT_N
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    idle_minutes: int = 30


@dataclass(frozen=True)
class StaffIdentity:
    id: int
    username: str


@dataclass(frozen=True)
class AccountInfo:
    username: str
    created_at: datetime
    enrolled: bool
    locked_until: datetime | None
    disabled: bool


@dataclass(frozen=True)
class PasswordCheck:
    """`user` is None for every refusal, whatever the reason: the caller cannot tell them apart."""

    user: StaffIdentity | None
    enrolled: bool = False


@dataclass(frozen=True)
class Enrolment:
    username: str
    secret: str


@dataclass(frozen=True)
class CodeCheck:
    # "refused": the account changed since the password step (disabled, or its factor reset).
    status: Literal["ok", "wrong", "locked", "refused"]
    token: str | None = None


@dataclass(frozen=True)
class SessionCheck:
    user: StaffIdentity | None
    expired: bool = False
    # last_seen_at was renewed: the caller re-signs its cookie too.
    touched: bool = False


def normalise_username(text: str) -> str:
    return text.strip().lower() if isinstance(text, str) else ""


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def totp_step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // TOTP_PERIOD


def _bound(user_id: int) -> str:
    return f"staff-totp:{user_id}"


class Accounts:
    def __init__(
        self, database: Database, sealer: Sealer, policy: Policy | None = None, clock: Callable[[], datetime] = utcnow
    ):
        self.database = database
        self.sealer = sealer
        self.policy = policy or Policy()
        self.clock = clock

    def _find(self, session: Session, username: str) -> StaffUser | None:
        name = normalise_username(username)
        if not USERNAME.match(name):
            return None
        return session.scalar(select(StaffUser).where(StaffUser.username == name))

    def _locked(self, user: StaffUser, now: datetime) -> bool:
        return user.locked_until is not None and user.locked_until > now

    # --- the command line ---------------------------------------------------------------

    def create(self, username: str, password: str) -> StaffIdentity:
        name = normalise_username(username)
        if not USERNAME.match(name):
            raise AccountError(
                "a username is 2 to 64 characters: lower-case letters, digits, dots, dashes and underscores, "
                "starting with a letter or digit"
            )
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
        if len(password) > passwords.MAX_PASSWORD_LENGTH:
            raise AccountError(f"the password must be at most {passwords.MAX_PASSWORD_LENGTH} characters long")
        hashed = passwords.hash_password(password, n=self.policy.scrypt_n)
        with self.database.transaction() as session:
            if self._find(session, name) is not None:
                raise AccountError(f"there is already an account called {name}")
            user = StaffUser(username=name, password_hash=hashed, failed_attempts=0, created_at=self.clock())
            session.add(user)
            session.flush()
            record(session, actor=COMMAND_LINE, action="account created", target=name)
            return StaffIdentity(user.id, name)

    def list(self) -> list[AccountInfo]:
        now = self.clock()
        with self.database.transaction() as session:
            users = session.scalars(select(StaffUser).order_by(StaffUser.username)).all()
            return [
                AccountInfo(
                    username=u.username,
                    created_at=u.created_at,
                    enrolled=u.totp_confirmed,
                    locked_until=u.locked_until if self._locked(u, now) else None,
                    disabled=u.disabled,
                )
                for u in users
            ]

    def _change(self, username: str, action: str, change: Callable[[Session, StaffUser], None]) -> bool:
        with self.database.transaction() as session:
            user = self._find(session, username)
            if user is None:
                return False
            change(session, user)
            record(session, actor=COMMAND_LINE, action=action, target=user.username)
            return True

    def unlock(self, username: str) -> bool:
        def change(_session: Session, user: StaffUser) -> None:
            user.failed_attempts = 0
            user.locked_until = None

        return self._change(username, "account unlocked", change)

    def reset_totp(self, username: str) -> bool:
        """For a lost phone: the next sign-in sets up a new authenticator. Signs the person out."""

        def change(session: Session, user: StaffUser) -> None:
            user.totp_sealed = None
            user.totp_confirmed = False
            user.last_totp_step = None
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))

        return self._change(username, "second factor reset", change)

    def disable(self, username: str) -> bool:
        def change(session: Session, user: StaffUser) -> None:
            user.disabled = True
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))

        return self._change(username, "account disabled", change)

    # --- signing in -----------------------------------------------------------------------

    def _fail(self, session: Session, user: StaffUser, now: datetime, what: str) -> bool:
        """Count a failure; lock the account at the limit. True if it is now locked."""
        user.failed_attempts = (user.failed_attempts or 0) + 1
        record(session, actor=user.username, action="sign-in failed", detail=what)
        if user.failed_attempts < self.policy.lockout_attempts:
            return False
        user.failed_attempts = 0
        user.locked_until = now + timedelta(minutes=self.policy.lockout_minutes)
        record(
            session,
            actor=user.username,
            action="locked",
            detail=f"{self.policy.lockout_attempts} failed attempts; locked for {self.policy.lockout_minutes} minutes",
        )
        return True

    def check_password(self, username: str, password: str) -> PasswordCheck:
        now = self.clock()
        with self.database.transaction() as session:
            user = self._find(session, username)
            if user is None:
                passwords.burn_time(password, n=self.policy.scrypt_n)
                # Only names of real accounts go in the log: a mistyped password in the
                # username box must not end up there.
                record(session, actor="unknown", action="sign-in failed", detail="unknown username")
                return PasswordCheck(None)
            if user.disabled or self._locked(user, now):
                passwords.burn_time(password, n=self.policy.scrypt_n)
                reason = "account disabled" if user.disabled else "account locked"
                record(session, actor=user.username, action="sign-in failed", detail=reason)
                return PasswordCheck(None)
            if not passwords.verify_password(password, user.password_hash):
                self._fail(session, user, now, "wrong password")
                return PasswordCheck(None)
            if passwords.needs_rehash(user.password_hash, n=self.policy.scrypt_n):
                user.password_hash = passwords.hash_password(password, n=self.policy.scrypt_n)
            # The failure count is reset only once the code is right too, or a password
            # alone would buy unlimited guesses at the code.
            return PasswordCheck(StaffIdentity(user.id, user.username), enrolled=user.totp_confirmed)

    def enrolment(self, user_id: int) -> Enrolment | None:
        """The secret to set up an authenticator with; None once one is confirmed.

        Made once and kept until confirmed, so a page reload does not invalidate a scan.
        """
        with self.database.transaction() as session:
            user = session.get(StaffUser, user_id)
            if user is None or user.disabled or user.totp_confirmed:
                return None
            if user.totp_sealed is None:
                user.totp_sealed = self.sealer.seal({"secret": pyotp.random_base32()}, bound_to=_bound(user.id))
            secret = self.sealer.open(user.totp_sealed, bound_to=_bound(user.id))["secret"]
            return Enrolment(user.username, secret)

    def verify_code(self, user_id: int, code: str) -> CodeCheck:
        """Check a code (confirming enrolment if needed); on success open a session and return its token."""
        now = self.clock()
        with self.database.transaction() as session:
            user = session.get(StaffUser, user_id)
            if user is None or user.disabled or user.totp_sealed is None:
                return CodeCheck("refused")
            if self._locked(user, now):
                return CodeCheck("locked")
            secret = self.sealer.open(user.totp_sealed, bound_to=_bound(user.id))["secret"]
            step = self._matching_step(secret, code, now, after=user.last_totp_step)
            if step is None:
                return CodeCheck("locked" if self._fail(session, user, now, "wrong code") else "wrong")
            if not user.totp_confirmed:
                user.totp_confirmed = True
                record(session, actor=user.username, action="second factor set up")
            # A code works once: a code seen over someone's shoulder is already spent.
            user.last_totp_step = step
            user.failed_attempts = 0
            user.locked_until = None
            token = secrets.token_urlsafe(32)
            session.add(StaffSession(id=session_id(token), user_id=user.id, created_at=now, last_seen_at=now))
            session.execute(delete(StaffSession).where(StaffSession.last_seen_at < now - FORGET_SESSIONS_AFTER))
            record(session, actor=user.username, action="signed in")
            return CodeCheck("ok", token)

    @staticmethod
    def _matching_step(secret: str, code: str, now: datetime, *, after: int | None) -> int | None:
        code = "".join(ch for ch in code if not ch.isspace()) if isinstance(code, str) else ""
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            return None
        totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
        current = totp_step(now)
        for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
            if after is not None and step <= after:
                continue
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    # --- sessions -------------------------------------------------------------------------

    def resume(self, token: object) -> SessionCheck:
        """The person a session token belongs to, if the session is still live."""
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return SessionCheck(None)
        now = self.clock()
        with self.database.transaction() as session:
            row = session.get(StaffSession, session_id(token))
            if row is None:
                return SessionCheck(None)
            user = session.get(StaffUser, row.user_id)
            if user is None or user.disabled or not user.totp_confirmed:
                session.delete(row)
                return SessionCheck(None)
            if now - row.last_seen_at > timedelta(minutes=self.policy.idle_minutes):
                session.delete(row)
                record(session, actor=user.username, action="signed out", detail="after inactivity")
                return SessionCheck(None, expired=True)
            touched = now - row.last_seen_at >= TOUCH_EVERY
            if touched:
                row.last_seen_at = now
            return SessionCheck(StaffIdentity(user.id, user.username), touched=touched)

    def end_session(self, token: object) -> None:
        if not isinstance(token, str):
            return
        with self.database.transaction() as session:
            row = session.get(StaffSession, session_id(token))
            if row is None:
                return
            user = session.get(StaffUser, row.user_id)
            session.delete(row)
            record(session, actor=user.username if user else "unknown", action="signed out")
