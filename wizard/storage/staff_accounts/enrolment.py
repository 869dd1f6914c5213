"""Setting an account up through its enrolment link: the link itself, the authenticator's secret for one attempt,
the chosen password, and the first sign-in."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from wizard.storage.audit import record
from wizard.storage.models import StaffEnrolment, StaffPendingLogin, StaffSession, StaffSourceThrottle, StaffUser
from wizard.storage.staff_accounts import passwords
from wizard.storage.staff_accounts.audit_trail import audit_detail
from wizard.storage.staff_accounts.base import AccountsBase
from wizard.storage.staff_accounts.password_policy import password_problem
from wizard.storage.staff_accounts.results import CodeCheck, Enrolment, Invitation
from wizard.storage.staff_accounts.sign_in_sources import COMMAND_LINE_SOURCE, Source
from wizard.storage.staff_accounts.tokens import pending_totp_binding, plausible_token, token_id, totp_binding


class EnrolmentSteps(AccountsBase):
    """Set-up links: one per account at a time, single use, and a secret for each attempt (H1)."""

    def _invite(self, session: Session, user: StaffUser) -> Invitation:
        """A new enrolment link for the account; any earlier one stops working."""
        now = self.clock()
        session.execute(delete(StaffPendingLogin).where(StaffPendingLogin.user_id == user.id))
        session.execute(delete(StaffEnrolment).where(StaffEnrolment.user_id == user.id))
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.policy.enrolment_hours)
        session.add(StaffEnrolment(id=token_id(token), user_id=user.id, created_at=now, expires_at=expires))
        return Invitation(user.username, token, expires)

    def _live_enrolment(self, session: Session, token: object, now: datetime) -> StaffEnrolment | None:
        if not plausible_token(token):
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
                secret = self.sealer.open(row.totp_sealed, bound_to=pending_totp_binding(row.id))["secret"]
                return Enrolment(user.username, secret, str(pending))
            secret = pyotp.random_base32()
            token = secrets.token_urlsafe(32)
            sealed = self.sealer.seal({"secret": secret}, bound_to=pending_totp_binding(token_id(token)))
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
            secret = self.sealer.open(row.totp_sealed, bound_to=pending_totp_binding(row.id))["secret"]
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
            secret = self.sealer.open(row.totp_sealed, bound_to=pending_totp_binding(row.id))["secret"]
            step = self._matching_step(secret, code, now, after=None)
            if step is None:
                record(session, actor=user.username, action="set-up failed", detail=audit_detail("wrong code", source))
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
            user.totp_sealed = self.sealer.seal({"secret": secret}, bound_to=totp_binding(user.id))
            user.totp_confirmed = True
            user.last_totp_step = step
            user.needs_unlock = False
            # Whatever was open before belongs to the old credentials.
            for table in (StaffSession, StaffPendingLogin, StaffSourceThrottle):
                session.execute(delete(table).where(table.user_id == user.id))
            record(session, actor=user.username, action="second factor set up", detail=audit_detail("", source))
            notice = self._signed_in(session, user, now)
            token = self._open_session(session, user, now, source)
            return CodeCheck("ok", token, lock_notice=notice)
