"""Staff accounts: enrolment links, passwords, the TOTP second factor, lockout and
server-side sessions. Imports storage, SQLAlchemy and pyotp; never Flask.

Nothing here imports Flask, so the command line and the tests use it directly.
Every sign-in event is written to the audit log in the same transaction as the
change it describes. The clock is injected so tests can move time.

Every state between two requests is a database row, found by the SHA-256 of a
random token the browser holds: the enrolment link, the half-signed-in state and
the session. A copy of the database or of SECRET_KEY alone opens none of them.

`Accounts` (service.py) is the entry point; each job has its own module: administration
(the command line), enrolment (set-up links), password_step and code_step (signing in,
throttle and lock), sessions (signed in), with passwords, password_policy and
sign_in_sources beside them.
"""

from wizard.storage.staff_accounts.audit_trail import COMMAND_LINE
from wizard.storage.staff_accounts.policy import (
    ENROLMENT_PENDING_LIFETIME,
    FORGET_SESSIONS_AFTER,
    PENDING_LIFETIME,
    TOTP_DRIFT_STEPS,
    TOTP_PERIOD,
    TOUCH_EVERY,
    Policy,
)
from wizard.storage.staff_accounts.results import (
    AccountError,
    AccountInfo,
    CodeCheck,
    Enrolment,
    Expiry,
    Invitation,
    LockNotice,
    PasswordCheck,
    SessionCheck,
    SessionInfo,
    StaffIdentity,
)
from wizard.storage.staff_accounts.service import Accounts
from wizard.storage.staff_accounts.tokens import USERNAME, normalise_username, token_id, totp_step

__all__ = [
    "COMMAND_LINE",
    "ENROLMENT_PENDING_LIFETIME",
    "FORGET_SESSIONS_AFTER",
    "PENDING_LIFETIME",
    "TOTP_DRIFT_STEPS",
    "TOTP_PERIOD",
    "TOUCH_EVERY",
    "USERNAME",
    "AccountError",
    "AccountInfo",
    "Accounts",
    "CodeCheck",
    "Enrolment",
    "Expiry",
    "Invitation",
    "LockNotice",
    "PasswordCheck",
    "Policy",
    "SessionCheck",
    "SessionInfo",
    "StaffIdentity",
    "normalise_username",
    "token_id",
    "totp_step",
]
