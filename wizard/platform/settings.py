"""Configuration: embedded defaults, overridden by environment variables.

Every setting a deployment may change is read from the environment by the
same name (see the README table). Nothing here needs an external service.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Settings an operator sets by environment variable, with their defaults.
OPERATOR_DEFAULTS = {
    "OPERATOR_NAME": "World Assistance",
    "OPERATOR_PHONE": "",
    "OPERATOR_EMAIL": "",
    "OPERATOR_WEBSITE": "",
    "OPERATOR_HOURS": "",
}
# Signs cookies and seals share links: long and random outside development.
MIN_SECRET_LENGTH = 32
KEY_RECIPE = "python -c 'import secrets; print(secrets.token_hex(32))'"
# A neutral page for "Leave this site": somewhere nobody would question.
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"


def _local_secret(instance: Path) -> str:
    """A per-installation key for local use, so `make run` needs no set-up."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _local_data_key(instance: Path) -> str:
    """The key that seals personal fields, for local use. Kept apart from the database
    file: a copy of the database alone reveals nothing personal."""
    path = instance / "data_key"
    if path.exists():
        return path.read_text().strip()
    from wizard.storage.crypto import new_key

    instance.mkdir(parents=True, exist_ok=True)
    key = new_key()
    path.write_text(key)
    path.chmod(0o600)
    return key


def _non_negative_int(env, name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise RuntimeError(f"{name} must be a whole number (0 or more), not {text!r}.")
    return int(text)


# Production unless told otherwise: a deployment whose environment file lacks a line
# must fail closed (Secure cookies, no tracebacks, keys required), never open.
MODES = ("production", "development")


def wizard_mode(env=None) -> str:
    """'production' (the default) or 'development', which only `make run` asks for."""
    env = os.environ if env is None else env
    mode = env.get("WIZARD_ENV", "").strip().lower() or "production"
    if mode not in MODES:
        raise RuntimeError(f"WIZARD_ENV must be 'production' or 'development', not {mode!r}.")
    return mode


def build_config(instance: Path, overrides: dict | None = None) -> dict:
    env = os.environ
    overrides = overrides or {}
    development = wizard_mode(env) == "development"
    config = {
        "RULES_DIR": Path(env.get("RULES_DIR", PROJECT_ROOT / "rules")),
        "EXIT_URL": env.get("EXIT_URL", DEFAULT_EXIT_URL),
        # Answers and a few option codes fit easily; anything bigger is not ours.
        "MAX_CONTENT_LENGTH": 32 * 1024,
        "MAX_FORM_PARTS": 200,
        "SESSION_COOKIE_NAME": "wizard",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        # The cookie has no expiry date (it ends with the browser session) and its
        # signature is refused once it has not been renewed for 30 minutes.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        "BABEL_DEFAULT_LOCALE": "en",
        # In memory by default; a Redis URL shares the limits between processes.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "DEVELOPMENT": development,
        "WIZARD_ENV": "development" if development else "production",
        # Embedded default: a SQLite file beside the local keys. PostgreSQL in production.
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{instance / 'wizard.sqlite3'}"),
        # Per client: a person may correct a mistake; a script may not fill the inbox.
        "CALLBACK_RATE_LIMIT": env.get("CALLBACK_RATE_LIMIT", "10 per hour; 30 per day"),
        "STAFF_SIGNIN_RATE_LIMIT": env.get("STAFF_SIGNIN_RATE_LIMIT", "10 per minute; 100 per day"),
        # Failed sign-ins (password or code) before an account is locked, and for how long.
        "STAFF_LOCKOUT_ATTEMPTS": int(env.get("STAFF_LOCKOUT_ATTEMPTS", "5")),
        "STAFF_LOCKOUT_MINUTES": int(env.get("STAFF_LOCKOUT_MINUTES", "15")),
        "STAFF_IDLE_MINUTES": 30,
        # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none).
        "TRUSTED_PROXIES": _non_negative_int(env, "TRUSTED_PROXIES", 0),
        # ...and only from these addresses or networks (gunicorn reads the same setting).
        "FORWARDED_ALLOW_IPS": env.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
        # The host names people use (comma-separated); any other Host header is refused.
        "PUBLIC_HOST": env.get("PUBLIC_HOST", "").strip(),
        # If set, the staff console answers only on this host, and only the console does.
        "STAFF_HOST": env.get("STAFF_HOST", "").strip(),
    }
    for key, default in OPERATOR_DEFAULTS.items():
        config[key] = env.get(key, default).strip()
    secret = env.get("SECRET_KEY") or overrides.get("SECRET_KEY")
    if not secret:
        if not development:
            raise RuntimeError(
                "SECRET_KEY must be set when WIZARD_ENV is not 'development' "
                f"(at least {MIN_SECRET_LENGTH} random characters; make one with: {KEY_RECIPE})."
            )
        secret = _local_secret(instance)
    elif not development and len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            f"SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} random characters "
            f"(make one with: {KEY_RECIPE})."
        )
    if not development and not (config["PUBLIC_HOST"] or overrides.get("PUBLIC_HOST")):
        raise RuntimeError(
            "PUBLIC_HOST must be set when WIZARD_ENV is not 'development': the host name people use, "
            "such as help.example.org (several may be given, comma-separated). Requests for any other "
            "host are refused, so links are never built on a name someone else sent."
        )
    config["SECRET_KEY"] = secret
    data_keys = env.get("DATA_KEYS") or overrides.get("DATA_KEYS")
    if not data_keys:
        if not development:
            raise RuntimeError(
                "DATA_KEYS must be set when WIZARD_ENV is not 'development' "
                "(a Fernet key; make one with: python -m wizard keys new)."
            )
        data_keys = _local_data_key(instance)
    config["DATA_KEYS"] = data_keys
    config.update(overrides)
    return config
