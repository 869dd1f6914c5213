"""Staff accounts: enrolment links, passwords, the TOTP second factor, lockout and
server-side sessions.

Nothing here imports Flask, so the command line and the tests use it directly.
Every sign-in event is written to the audit log in the same transaction as the
change it describes. The clock is injected so tests can move time.

Every state between two requests is a database row, found by the SHA-256 of a
random token the browser holds: the enrolment link, the half-signed-in state and
the session. A copy of the database or of SECRET_KEY alone opens none of them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from wizard.storage import Database, Sealer, passwords
from wizard.storage.audit import record
from wizard.storage.models import (
    StaffEnrolment,
    StaffPendingLogin,
    StaffSession,
    StaffSourceThrottle,
    StaffUser,
    utcnow,
)
from wizard.storage.password_policy import password_problem
from wizard.storage.sign_in_sources import COMMAND_LINE_SOURCE, Source

logger = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
TOTP_PERIOD = 30
# Codes from the step before and after now are accepted too: phone clocks drift.
TOTP_DRIFT_STEPS = 1
# Between the password and the code: after this, start again.
PENDING_LIFETIME = timedelta(minutes=5)
# Choosing a password and installing an app takes longer than typing a code.
ENROLMENT_PENDING_LIFETIME = timedelta(minutes=20)
# last_seen_at is written at most this often: a read should not always be a write.
TOUCH_EVERY = timedelta(minutes=1)
# Rows this old are deleted. Until then an idle session is still recognised, so the
# person can be told they were signed out for inactivity (see sessions.py).
FORGET_SESSIONS_AFTER = timedelta(hours=12)
COMMAND_LINE = "command line"
Expiry = Literal["idle", "maximum"]


class AccountError(ValueError):
    """A command-line request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Policy:
    scrypt_n: int = passwords.DEFAULT_N
    # Wrong passwords from one source for one account before that source waits.
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    idle_minutes: int = 30
    # One shift: after this a session ends, however busy.
    max_session_hours: int = 10
    # Wrong codes (which need the right password) lock the account: the first lock
    # lasts lockout_minutes, later ones longer_lock_minutes, and at hard_lock_codes in
    # a row only `python -m wizard staff unlock` lifts it.
    longer_lock_minutes: int = 60
    hard_lock_codes: int = 20
    enrolment_hours: int = 24
    # Signed in on this many browsers at once at most; one more ends the oldest.
    max_sessions: int = 5
    operator_name: str = ""


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
    needs_unlock: bool = False


@dataclass(frozen=True)
class Invitation:
    """An enrolment link's token: shown once to whoever runs the command, never stored."""

    username: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class PasswordCheck:
    """`pending` is None for every refusal, whatever the reason: the caller cannot tell them apart."""

    pending: str | None


@dataclass(frozen=True)
class Enrolment:
    username: str
    secret: str
    # The half-signed-in token this secret belongs to (new when the attempt is new).
    pending: str


@dataclass(frozen=True)
class LockNotice:
    at: datetime
    failures: int


@dataclass(frozen=True)
class CodeCheck:
    # "refused": the half-signed-in state is gone (expired, used, or the account changed).
    status: Literal["ok", "wrong", "locked", "refused", "password"]
    token: str | None = None
    # For "password": what is wrong with the chosen password.
    problem: str | None = None
    # The account was locked since the person last signed in.
    lock_notice: LockNotice | None = None


@dataclass(frozen=True)
class SessionCheck:
    user: StaffIdentity | None
    expired: Expiry | None = None
    # last_seen_at was renewed: the caller re-signs its cookie too.
    touched: bool = False


@dataclass(frozen=True)
class SessionInfo:
    created_at: datetime
    last_seen_at: datetime
    agent: str
    current: bool


def normalise_username(text: str) -> str:
    return text.strip().lower() if isinstance(text, str) else ""


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def totp_step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // TOTP_PERIOD


def _bound(user_id: int) -> str:
    return f"staff-totp:{user_id}"


def _pending_bound(pending_id: str) -> str:
    return f"staff-enrolment:{pending_id}"


def _plausible_token(token: object) -> bool:
    return isinstance(token, str) and 20 <= len(token) <= 100


def _detail(what: str, source: Source) -> str:
    return f"{what}; {source.describe()}" if what else source.describe()


class Accounts:
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

    # --- the command line ---------------------------------------------------------------

    def _invite(self, session: Session, user: StaffUser) -> Invitation:
        """A new enrolment link for the account; any earlier one stops working."""
        now = self.clock()
        session.execute(delete(StaffPendingLogin).where(StaffPendingLogin.user_id == user.id))
        session.execute(delete(StaffEnrolment).where(StaffEnrolment.user_id == user.id))
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.policy.enrolment_hours)
        session.add(StaffEnrolment(id=token_id(token), user_id=user.id, created_at=now, expires_at=expires))
        return Invitation(user.username, token, expires)

    def create(self, username: str) -> Invitation:
        """A new account with no password: its owner chooses one through the enrolment link."""
        name = normalise_username(username)
        if not USERNAME.match(name):
            raise AccountError(
                "a username is 2 to 64 characters: lower-case letters, digits, dots, dashes and underscores, "
                "starting with a letter or digit"
            )
        with self.database.transaction() as session:
            if self._find(session, name) is not None:
                raise AccountError(f"there is already an account called {name}")
            user = StaffUser(
                username=name, password_hash=passwords.UNUSABLE, failed_attempts=0, created_at=self.clock()
            )
            session.add(user)
            session.flush()
            record(session, actor=COMMAND_LINE, action="account created", target=name)
            return self._invite(session, user)

    def list(self) -> list[AccountInfo]:
        now = self.clock()
        with self.database.transaction() as session:
            users = session.scalars(select(StaffUser).order_by(StaffUser.username)).all()
            return [
                AccountInfo(
                    username=u.username,
                    created_at=u.created_at,
                    enrolled=u.totp_confirmed,
                    locked_until=u.locked_until if u.locked_until and u.locked_until > now else None,
                    disabled=u.disabled,
                    needs_unlock=u.needs_unlock,
                )
                for u in users
            ]

    def _change(self, username: str, action: str, change: Callable[[Session, StaffUser], object]):
        with self.database.transaction() as session:
            user = self._find(session, username, lock=True)
            if user is None:
                return None
            result = change(session, user)
            record(session, actor=COMMAND_LINE, action=action, target=user.username)
            return result if result is not None else True

    def unlock(self, username: str) -> bool:
        def change(session: Session, user: StaffUser) -> None:
            user.failed_attempts = 0
            user.locked_until = None
            user.needs_unlock = False
            session.execute(delete(StaffSourceThrottle).where(StaffSourceThrottle.user_id == user.id))

        return bool(self._change(username, "account unlocked", change))

    def reset_totp(self, username: str) -> Invitation | None:
        """A lost phone or a forgotten password: the old password and authenticator stop
        working, every session ends, and a new enrolment link sets both up again."""

        def change(session: Session, user: StaffUser) -> Invitation:
            user.password_hash = passwords.UNUSABLE
            user.totp_sealed = None
            user.totp_confirmed = False
            user.last_totp_step = None
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
            return self._invite(session, user)

        return self._change(username, "second factor reset", change)

    def disable(self, username: str) -> bool:
        def change(session: Session, user: StaffUser) -> None:
            user.disabled = True
            for table in (StaffSession, StaffPendingLogin, StaffEnrolment):
                session.execute(delete(table).where(table.user_id == user.id))

        return bool(self._change(username, "account disabled", change))

    # --- signing in: the password -------------------------------------------------------

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
        record(session, actor=user.username, action="sign-in failed", detail=_detail("wrong password", source))
        if row.failures >= self.policy.lockout_attempts:
            row.blocked_until = now + window
            row.failures = 0
            row.first_failed_at = now
            record(
                session,
                actor=user.username,
                action="source throttled",
                detail=_detail(
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
                record(session, actor="unknown", action="sign-in failed", detail=_detail("unknown username", source))
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
                record(session, actor=user.username, action="sign-in failed", detail=_detail(refusal, source))
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

    def _pending(self, session: Session, token: object, now: datetime, *, enrolling: bool) -> StaffPendingLogin | None:
        if not _plausible_token(token):
            return None
        row = session.get(StaffPendingLogin, token_id(token))
        if row is None or (row.enrolment_id is not None) is not enrolling:
            return None
        lifetime = ENROLMENT_PENDING_LIFETIME if enrolling else PENDING_LIFETIME
        if now - row.created_at > lifetime:
            session.delete(row)
            return None
        return row

    def pending_state(self, token: object, *, enrolling: bool) -> Literal["live", "expired", "none"]:
        """Whether a half-signed-in token is still usable (for the pages to say so)."""
        if not _plausible_token(token):
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

    # --- signing in: the code -------------------------------------------------------------

    def _code_failed(
        self, session: Session, user: StaffUser, now: datetime, source: Source, action: str = "sign-in failed"
    ) -> bool:
        """Count a wrong code; lock the account at each threshold. True if it is now locked."""
        # Under the row lock taken by the caller, so no increment is lost (L6).
        user.failed_attempts = (user.failed_attempts or 0) + 1
        failures = user.failed_attempts
        record(session, actor=user.username, action=action, detail=_detail("wrong code", source))
        policy = self.policy
        if failures >= policy.hard_lock_codes:
            user.needs_unlock = True
            what = f"{failures} wrong codes in a row; locked until unlocked from the command line"
        elif failures % policy.lockout_attempts == 0:
            minutes = policy.lockout_minutes if failures == policy.lockout_attempts else policy.longer_lock_minutes
            user.locked_until = now + timedelta(minutes=minutes)
            what = f"{failures} wrong codes in a row; locked for {minutes} minutes"
        else:
            return False
        user.locked_at = now
        user.locked_after = failures
        # A lock ends every half-finished sign-in of the account.
        session.execute(delete(StaffPendingLogin).where(StaffPendingLogin.user_id == user.id))
        record(session, actor=user.username, action="locked", detail=_detail(what, source))
        # For alerting from the logs; who it was is in the audit log.
        logger.warning("A staff account was locked after %d wrong security codes", failures)
        return True

    def verify_code(self, pending: object, code: str, source: Source = COMMAND_LINE_SOURCE) -> CodeCheck:
        """The second step of a later sign-in; on success a session token."""
        now = self.clock()
        with self.database.transaction() as session:
            row = self._pending(session, pending, now, enrolling=False)
            if row is None:
                return CodeCheck("refused")
            # The account's row lock first (as every other writer takes it), then the
            # half-signed-in row read again: a simultaneous request may have used it.
            user = session.scalar(select(StaffUser).where(StaffUser.id == row.user_id).with_for_update())
            row = session.scalar(
                select(StaffPendingLogin)
                .where(StaffPendingLogin.id == row.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if row is None:
                return CodeCheck("refused")
            if user is None or user.disabled or user.totp_sealed is None or not user.totp_confirmed:
                session.delete(row)
                return CodeCheck("refused")
            if self._locked(user, now):
                session.delete(row)
                return CodeCheck("locked")
            secret = self.sealer.open(user.totp_sealed, bound_to=_bound(user.id))["secret"]
            step = self._matching_step(secret, code, now, after=user.last_totp_step)
            if step is None:
                return CodeCheck("locked" if self._code_failed(session, user, now, source) else "wrong")
            session.delete(row)
            # A code works once: a code seen over someone's shoulder is already spent.
            user.last_totp_step = step
            notice = self._signed_in(session, user, now)
            token = self._open_session(session, user, now, source)
            return CodeCheck("ok", token, lock_notice=notice)

    def confirm_code(
        self, user_id: int, code: str, source: Source = COMMAND_LINE_SOURCE
    ) -> Literal["ok", "wrong", "locked", "refused"]:
        """A signed-in person's code asked for again before a sensitive action (step-up).

        As at sign-in, a code works once and a wrong one counts towards the lock; no
        session is opened, and success is left to the caller to record with its action.
        """
        now = self.clock()
        with self.database.transaction() as session:
            user = session.scalar(select(StaffUser).where(StaffUser.id == user_id).with_for_update())
            if user is None or user.disabled or not user.totp_confirmed or user.totp_sealed is None:
                return "refused"
            if self._locked(user, now):
                return "locked"
            secret = self.sealer.open(user.totp_sealed, bound_to=_bound(user.id))["secret"]
            step = self._matching_step(secret, code, now, after=user.last_totp_step)
            if step is None:
                return "locked" if self._code_failed(session, user, now, source, "code refused") else "wrong"
            user.last_totp_step = step
            user.failed_attempts = 0
            return "ok"

    def _signed_in(self, session: Session, user: StaffUser, now: datetime) -> LockNotice | None:
        notice = LockNotice(user.locked_at, user.locked_after or 0) if user.locked_at else None
        user.failed_attempts = 0
        user.locked_until = None
        user.locked_at = None
        user.locked_after = None
        return notice

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
        record(session, actor=user.username, action="signed in", detail=_detail("", source))
        return token

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

    # --- enrolment --------------------------------------------------------------------------

    def _live_enrolment(self, session: Session, token: object, now: datetime) -> StaffEnrolment | None:
        if not _plausible_token(token):
            return None
        row = session.get(StaffEnrolment, token_id(token))
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        return row

    def begin_enrolment(self, link: object, pending: object = None) -> Enrolment | None:
        """The set-up page for an enrolment link. The secret belongs to this attempt only:
        the same browser (same half-signed-in token) sees it again, anyone else gets
        another one, and only the attempt that finishes keeps its secret (H1)."""
        now = self.clock()
        with self.database.transaction() as session:
            enrolment = self._live_enrolment(session, link, now)
            if enrolment is None:
                return None
            user = session.get(StaffUser, enrolment.user_id)
            if user is None or user.disabled:
                return None
            row = self._pending(session, pending, now, enrolling=True)
            if row is not None and row.enrolment_id == enrolment.id and row.totp_sealed is not None:
                secret = self.sealer.open(row.totp_sealed, bound_to=_pending_bound(row.id))["secret"]
                return Enrolment(user.username, secret, str(pending))
            secret = pyotp.random_base32()
            token = secrets.token_urlsafe(32)
            sealed = self.sealer.seal({"secret": secret}, bound_to=_pending_bound(token_id(token)))
            session.add(
                StaffPendingLogin(
                    id=token_id(token), user_id=user.id, created_at=now, enrolment_id=enrolment.id, totp_sealed=sealed
                )
            )
            return Enrolment(user.username, secret, token)

    def enrolment(self, pending: object) -> Enrolment | None:
        """The secret of a live enrolment attempt (for its QR code)."""
        now = self.clock()
        with self.database.transaction() as session:
            row = self._pending(session, pending, now, enrolling=True)
            if row is None or row.totp_sealed is None:
                return None
            user = session.get(StaffUser, row.user_id)
            if user is None or user.disabled:
                return None
            secret = self.sealer.open(row.totp_sealed, bound_to=_pending_bound(row.id))["secret"]
            return Enrolment(user.username, secret, str(pending))

    def password_problem(self, username: str, password: str) -> str | None:
        return password_problem(password, username=username, operator_name=self.policy.operator_name)

    def complete_enrolment(
        self, link: object, pending: object, password: str, code: str, source: Source = COMMAND_LINE_SOURCE
    ) -> CodeCheck:
        """Set the chosen password and the authenticator, use up the link, and sign in."""
        now = self.clock()
        with self.database.transaction() as session:
            row = self._pending(session, pending, now, enrolling=True)
            enrolment = self._live_enrolment(session, link, now)
            if row is None or enrolment is None or row.enrolment_id != enrolment.id:
                return CodeCheck("refused")
            user = session.scalar(select(StaffUser).where(StaffUser.id == row.user_id).with_for_update())
            if user is None or user.disabled:
                return CodeCheck("refused")
            problem = self.password_problem(user.username, password)
            if problem:
                return CodeCheck("password", problem=problem)
            secret = self.sealer.open(row.totp_sealed, bound_to=_pending_bound(row.id))["secret"]
            step = self._matching_step(secret, code, now, after=None)
            if step is None:
                record(session, actor=user.username, action="set-up failed", detail=_detail("wrong code", source))
                return CodeCheck("wrong")
            # Single use, even against a simultaneous attempt with the same link.
            used = session.execute(
                update(StaffEnrolment)
                .where(StaffEnrolment.id == enrolment.id, StaffEnrolment.used_at.is_(None))
                .values(used_at=now)
            )
            if used.rowcount != 1:
                return CodeCheck("refused")
            user.password_hash = passwords.hash_password(password, n=self.policy.scrypt_n)
            user.totp_sealed = self.sealer.seal({"secret": secret}, bound_to=_bound(user.id))
            user.totp_confirmed = True
            user.last_totp_step = step
            user.needs_unlock = False
            # Whatever was open before belongs to the old credentials.
            for table in (StaffSession, StaffPendingLogin, StaffSourceThrottle):
                session.execute(delete(table).where(table.user_id == user.id))
            record(session, actor=user.username, action="second factor set up", detail=_detail("", source))
            notice = self._signed_in(session, user, now)
            token = self._open_session(session, user, now, source)
            return CodeCheck("ok", token, lock_notice=notice)

    # --- signed in --------------------------------------------------------------------------

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
                record(session, actor=user.username, action="password change failed", detail=_detail("wrong", source))
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
                detail=_detail(f"{ended} other session(s) ended", source),
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
        if not _plausible_token(token):
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
