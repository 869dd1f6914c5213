"""The command line's part of the account service: create, list, unlock, reset and disable accounts."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wizard.storage.audit import record
from wizard.storage.models import StaffEnrolment, StaffPendingLogin, StaffSession, StaffSourceThrottle, StaffUser
from wizard.storage.staff_accounts import passwords
from wizard.storage.staff_accounts.audit_trail import COMMAND_LINE
from wizard.storage.staff_accounts.base import AccountsBase
from wizard.storage.staff_accounts.results import AccountError, AccountInfo, Invitation
from wizard.storage.staff_accounts.tokens import USERNAME, normalise_username


class Administration(AccountsBase):
    """What `python -m wizard staff ...` does; each change is audited with the command line as actor."""

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
