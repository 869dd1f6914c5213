"""Accounts: the one object the rest of the code uses for staff accounts, put together from one part per job."""

from __future__ import annotations

from wizard.storage.staff_accounts.administration import Administration
from wizard.storage.staff_accounts.code_step import CodeStep
from wizard.storage.staff_accounts.enrolment import EnrolmentSteps
from wizard.storage.staff_accounts.password_step import PasswordStep
from wizard.storage.staff_accounts.sessions import Sessions


class Accounts(Administration, EnrolmentSteps, PasswordStep, CodeStep, Sessions):
    """Staff accounts, from the command line (Administration) through setting up (EnrolmentSteps)
    and signing in (PasswordStep, then CodeStep) to the sessions that follow (Sessions).

    The parts share one state (AccountsBase) and call one another's methods through `self`,
    so each can be read, and replaced in a test, on its own."""
