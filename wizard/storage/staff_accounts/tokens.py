"""Usernames, the random tokens behind every state between two requests (only their SHA-256 is stored), and what
an authenticator secret is sealed to."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from wizard.storage.staff_accounts.policy import TOTP_PERIOD

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normalise_username(text: str) -> str:
    return text.strip().lower() if isinstance(text, str) else ""


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def totp_step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // TOTP_PERIOD


def totp_binding(user_id: int) -> str:
    """A confirmed secret opens for its own account only."""
    return f"staff-totp:{user_id}"


def pending_totp_binding(pending_id: str) -> str:
    """A secret being set up opens for its own set-up attempt only."""
    return f"staff-enrolment:{pending_id}"


def plausible_token(token: object) -> bool:
    """Worth a database look-up: a string of a token's length."""
    return isinstance(token, str) and 20 <= len(token) <= 100
