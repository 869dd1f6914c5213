"""The second step of signing in, and the step-up before a sensitive action: the authenticator's code, and the
account lock that wrong codes lead to."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime, timedelta
from typing import Literal

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wizard.storage.audit import record
from wizard.storage.models import StaffPendingLogin, StaffUser
from wizard.storage.staff_accounts.audit_trail import audit_detail
from wizard.storage.staff_accounts.base import AccountsBase
from wizard.storage.staff_accounts.policy import TOTP_DRIFT_STEPS, TOTP_PERIOD
from wizard.storage.staff_accounts.results import CodeCheck, LockNotice
from wizard.storage.staff_accounts.sign_in_sources import COMMAND_LINE_SOURCE, Source
from wizard.storage.staff_accounts.tokens import totp_binding, totp_step

# The service's one logger, named as it was before the service became a package: alerts match on it.
logger = logging.getLogger("wizard.storage.staff_accounts")


class CodeStep(AccountsBase):
    """Sign-in, second step (and step-up): a code works once, and wrong ones lead to the account lock."""

    def _code_failed(
        self, session: Session, user: StaffUser, now: datetime, source: Source, action: str = "sign-in failed"
    ) -> bool:
        """Count a wrong code; lock the account at each threshold. True if it is now locked."""
        # Under the row lock taken by the caller, so no increment is lost (L6).
        user.failed_attempts = (user.failed_attempts or 0) + 1
        failures = user.failed_attempts
        record(session, actor=user.username, action=action, detail=audit_detail("wrong code", source))
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
        record(session, actor=user.username, action="locked", detail=audit_detail(what, source))
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
            secret = self.sealer.open(user.totp_sealed, bound_to=totp_binding(user.id))["secret"]
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
            secret = self.sealer.open(user.totp_sealed, bound_to=totp_binding(user.id))["secret"]
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
