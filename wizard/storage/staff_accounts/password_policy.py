"""What a staff password must not be: short, common, one repeated pattern, or made
from words an attacker would try first (the username, the operator's name).

Checked when the person chooses their password (enrolment, change), never at
sign-in, so a stricter list later does not lock anyone out.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from wizard.storage.staff_accounts.passwords import MAX_PASSWORD_LENGTH

MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")
# Words anyone would try against this console; the operator's name is added at run time.
CONTEXT_WORDS = ("staff", "console", "wizard", "callback", "password")
_TRAILING = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _squashed(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def password_problem(password: str, *, username: str, operator_name: str = "") -> str | None:
    """Why this password cannot be used, in words for the person; None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Your password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Your password must be at most {MAX_PASSWORD_LENGTH} characters long"
    lowered = password.lower()
    common = common_passwords()
    # "password1234" and "Summer2024!!" are a common password with a common ending.
    if lowered in common or lowered.rstrip(_TRAILING) in common:
        return "That password is one of the most common ones. Choose one that is harder to guess"
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        return "That password repeats too few characters. Choose one that is harder to guess"
    squashed = _squashed(password)
    words = [username, operator_name, *CONTEXT_WORDS]
    for word in (_squashed(w) for w in words):
        if len(word) >= 4 and word in squashed and len(squashed) - len(word) < MIN_PASSWORD_LENGTH:
            return (
                "Your password is mostly your username, the organisation’s name or the name of this console. "
                "Choose one that is harder to guess"
            )
    return None
