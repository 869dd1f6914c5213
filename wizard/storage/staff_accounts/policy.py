"""The limits the account service keeps: a deployment's Policy, and the fixed lifetimes and code timing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from wizard.storage.staff_accounts import passwords

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
