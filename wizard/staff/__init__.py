"""The staff console under /staff: sign-in with a second factor, the call-back inbox,
request details, CSV export, the audit log, the conversation guide for intake staff and the
service directory (listings, their checks, problem reports and imports).

One deployment serves one operator (OPERATOR_NAME): the console shows that
operator's requests and nobody else's. It is in English only, and it is never
available inside a partner's frame (it is not registered under /embed). It may import the
platform, storage and the domain, never the public journey or the API.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from wizard.storage.staff_accounts import Policy


# Staff settings with their defaults, each overridden by the environment variable of
# the same name (or by the app's configuration, as the tests do).
SETTINGS = {
    "STAFF_MAX_SESSION_HOURS": 10,
    "STAFF_ENROLMENT_HOURS": 24,
    "STAFF_LONGER_LOCK_MINUTES": 60,
    "STAFF_HARD_LOCK_CODES": 20,
    "STAFF_MAX_SESSIONS": 5,
}
# Failed sign-ins for one username, from anywhere: a brake on guessing from many addresses.
USERNAME_RATE_LIMIT = "20 per minute"


def setting(config: dict, name: str) -> int:
    if name in config:
        return int(config[name])
    text = os.environ.get(name, "").strip()
    if not text:
        return SETTINGS[name]
    if not text.isdigit() or int(text) < 1:
        raise RuntimeError(f"{name} must be a whole number (1 or more), not {text!r}.")
    return int(text)


def policy(config: dict) -> Policy:
    """The account rules from the settings; it also fills in the username rate limit's default."""
    from wizard.storage.staff_accounts import Policy
    from wizard.storage.staff_accounts.passwords import DEFAULT_N, MINIMUM_PRODUCTION_N, valid_cost

    n = int(config.get("STAFF_SCRYPT_N", DEFAULT_N))
    if not valid_cost(n):
        raise RuntimeError("STAFF_SCRYPT_N must be a power of two")
    # A small cost makes the tests quick; it must never reach a real deployment.
    if n < MINIMUM_PRODUCTION_N and not (config.get("DEVELOPMENT") or config.get("TESTING")):
        raise RuntimeError(f"STAFF_SCRYPT_N must be at least {MINIMUM_PRODUCTION_N} outside development")
    config.setdefault(
        "STAFF_SIGNIN_USERNAME_RATE_LIMIT", os.environ.get("STAFF_SIGNIN_USERNAME_RATE_LIMIT", USERNAME_RATE_LIMIT)
    )
    return Policy(
        scrypt_n=n,
        lockout_attempts=int(config["STAFF_LOCKOUT_ATTEMPTS"]),
        lockout_minutes=int(config["STAFF_LOCKOUT_MINUTES"]),
        idle_minutes=int(config["STAFF_IDLE_MINUTES"]),
        max_session_hours=setting(config, "STAFF_MAX_SESSION_HOURS"),
        enrolment_hours=setting(config, "STAFF_ENROLMENT_HOURS"),
        longer_lock_minutes=setting(config, "STAFF_LONGER_LOCK_MINUTES"),
        hard_lock_codes=setting(config, "STAFF_HARD_LOCK_CODES"),
        max_sessions=setting(config, "STAFF_MAX_SESSIONS"),
        operator_name=config.get("OPERATOR_NAME", ""),
    )


def init_app(app: Flask) -> None:
    from wizard.staff import account, directory, guide, inbox  # noqa: F401  (add the console's pages to the blueprint)
    from wizard.staff.auth import bp

    # Before the blueprint's addresses are added: the directory's use it.
    app.url_map.converters["service_id"] = directory.ServiceId
    app.register_blueprint(bp)
