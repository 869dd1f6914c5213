"""What the account service's methods return, and the error its command-line methods raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Expiry = Literal["idle", "maximum"]


class AccountError(ValueError):
    """A command-line request that cannot be done; the message says why."""


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
