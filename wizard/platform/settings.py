"""Configuration: embedded defaults, overridden by environment variables.

Every setting a deployment may change is read from the environment by the
same name (see the README table), into one pydantic-settings model. Its
validation reports every unusable setting at once, each by its variable's name
and never with its value, and is the only place each rule is written: the app
runs it at start-up and `serve-check` / gunicorn run it before starting
(wizard/platform/preflight.py). Nothing here needs an external service.
"""

from __future__ import annotations

import contextvars
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Signs cookies and seals share links: long and random outside development.
MIN_SECRET_LENGTH = 32
KEY_RECIPE = "python -c 'import secrets; print(secrets.token_hex(32))'"
MAKE_DATA_KEY = "python -m wizard keys new"
# A neutral page for "Leave this site": somewhere nobody would question.
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"

# Production unless told otherwise: a deployment whose environment file lacks a line
# must fail closed (Secure cookies, no tracebacks, keys required), never open.
MODES = ("production", "development")

# Settings an operator sets by environment variable, with their defaults.
OPERATOR_DEFAULTS = {
    "OPERATOR_NAME": "World Assistance",
    "OPERATOR_PHONE": "",
    "OPERATOR_EMAIL": "",
    "OPERATOR_WEBSITE": "",
    "OPERATOR_HOURS": "",
}
# What a person is told before giving a phone number: who will call, from where, in which
# languages, what the call will show, how soon, and how to cancel. An unexpected or
# unexplained call is a real risk for someone who has not told the people around them, so
# production refuses to start without these (and without OPERATOR_NAME). Each sentence
# names the variable and an example.
OPERATOR_REQUIRED = {
    "OPERATOR_NAME": "who will contact people, as they should hear it, such as World Assistance",
    "OPERATOR_COUNTRY": "the country the calls come from, as a two-letter code such as PT",
    "OPERATOR_LANGUAGES": "the languages staff speak, as comma-separated codes such as pt,en",
    "OPERATOR_CALLER_ID": "what the person's phone will show: 'withheld' or the number calls come from",
    "OPERATOR_RESPONSE_TIME": "how soon people are contacted, such as '2 working days' or '24 hours'",
    "OPERATOR_CANCEL_CONTACT": "a phone number or email address where a person can cancel a request",
}
# Development only: a clearly fictional operator (reserved example numbers and addresses), so
# the pages can be tried out; the Reach out page labels it as an example.
DEMO_OPERATOR = {
    "OPERATOR_NAME": "World Assistance",
    "OPERATOR_COUNTRY": "GB",
    "OPERATOR_LANGUAGES": "en",
    "OPERATOR_CALLER_ID": "withheld",
    "OPERATOR_RESPONSE_TIME": "2 working days",
    "OPERATOR_CANCEL_CONTACT": "cancel@example.org",
}
RESPONSE_TIME = re.compile(r"^([1-9][0-9]?) (working days?|hours?)$")
WITHHELD = "withheld"


def response_time(text: str) -> tuple[int, str] | None:
    """'2 working days' -> (2, 'working_days'); '24 hours' -> (24, 'hours'); None if unreadable."""
    match = RESPONSE_TIME.match(" ".join(text.lower().split()))
    if not match:
        return None
    return int(match.group(1)), "hours" if match.group(2).startswith("hour") else "working_days"


class SettingsError(RuntimeError):
    """Every unusable setting, each as a sentence that names the variable (never its value)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Cannot start the wizard:\n" + "\n".join(f"  - {problem}" for problem in problems))


def _production(info: ValidationInfo) -> bool:
    """An unusable WIZARD_ENV is reported on its own and the rest is checked as for production."""
    return info.data.get("WIZARD_ENV", "production") != "development"


class Settings(BaseSettings):
    """The environment, validated. Fields are checked in this order, WIZARD_ENV first."""

    # An empty variable counts as unset (an environment file's `SECRET_KEY=` line is no key).
    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    WIZARD_ENV: str = "production"
    SECRET_KEY: SecretStr | None = None
    DATA_KEYS: SecretStr | None = None
    # The host names people use (comma-separated); any other Host header is refused.
    PUBLIC_HOST: str = ""
    # If set, the staff console answers only on this host, and only the console does.
    STAFF_HOST: str = ""
    RULES_DIR: Path = PROJECT_ROOT / "rules"
    EXIT_URL: str = DEFAULT_EXIT_URL
    # In memory by default; a Redis URL shares the limits between processes.
    RATELIMIT_STORAGE_URI: str = "memory://"
    # Embedded default (None): a SQLite file beside the local keys. PostgreSQL in production.
    DATABASE_URL: str | None = None
    # Per client: a person may correct a mistake; a script may not fill the inbox.
    CALLBACK_RATE_LIMIT: str = "10 per hour; 30 per day"
    STAFF_SIGNIN_RATE_LIMIT: str = "10 per minute; 100 per day"
    # Failed sign-ins (password or code) before an account is locked, and for how long.
    STAFF_LOCKOUT_ATTEMPTS: int = 5
    STAFF_LOCKOUT_MINUTES: int = 15
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none).
    TRUSTED_PROXIES: int = 0
    # ...and only from these addresses or networks (gunicorn reads the same setting).
    FORWARDED_ALLOW_IPS: str = "127.0.0.1,::1"
    LOG_LEVEL: str = "INFO"
    # Listings not checked for this many months are not shown to the public (staff still see them).
    DIRECTORY_MAX_AGE: int = Field(default=12, ge=1, le=120)
    # Fictional example listings (`directory demo`) are shown, labelled, only when this is on;
    # unset, it is on in development and off in production.
    DIRECTORY_SHOW_EXAMPLES: bool | None = None
    OPERATOR_NAME: str = ""
    OPERATOR_PHONE: str = ""
    OPERATOR_EMAIL: str = ""
    OPERATOR_WEBSITE: str = ""
    OPERATOR_HOURS: str = ""
    OPERATOR_COUNTRY: str = ""
    OPERATOR_LANGUAGES: str = ""
    OPERATOR_CALLER_ID: str = ""
    OPERATOR_RESPONSE_TIME: str = ""
    OPERATOR_CANCEL_CONTACT: str = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment only: no .env file or secrets folder is read behind the operator's back.
        environ = _given_environ.get()
        return (init_settings, env_settings if environ is None else _MappingSource(settings_cls, environ))

    @field_validator("WIZARD_ENV")
    @classmethod
    def _known_mode(cls, mode: str) -> str:
        mode = mode.strip().lower() or "production"
        if mode not in MODES:
            raise ValueError("WIZARD_ENV must be 'production' or 'development' (unset, it means production).")
        return mode

    @field_validator("SECRET_KEY", "DATA_KEYS", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("SECRET_KEY")
    @classmethod
    def _long_random_secret(cls, secret: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if not _production(info):
            return secret
        if secret is None:
            raise ValueError(
                "SECRET_KEY is not set: it must be, outside development (at least "
                f"{MIN_SECRET_LENGTH} random characters). Make one with: {KEY_RECIPE}"
            )
        if len(secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} random characters. "
                f"Make one with: {KEY_RECIPE}"
            )
        return secret

    @field_validator("DATA_KEYS")
    @classmethod
    def _usable_data_keys(cls, keys: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # Imported here, as in _proxy_addresses: `python -m wizard rules` imports this module
        # and needs neither the database layer nor Flask.
        from wizard.storage.crypto import Sealer, parse_keys

        if keys is None:
            if _production(info):
                raise ValueError(
                    "DATA_KEYS is not set: it must be, outside development (a Fernet key). "
                    f"Make a key with: {MAKE_DATA_KEY}"
                )
            return keys
        try:
            Sealer(parse_keys(keys.get_secret_value()))
        except ValueError as exc:  # the reason, never the key
            raise ValueError(f"DATA_KEYS: {exc}. Make a key with: {MAKE_DATA_KEY}") from None
        return keys

    @field_validator(
        "PUBLIC_HOST",
        "STAFF_HOST",
        "OPERATOR_NAME",
        "OPERATOR_PHONE",
        "OPERATOR_EMAIL",
        "OPERATOR_WEBSITE",
        "OPERATOR_HOURS",
        "OPERATOR_COUNTRY",
        "OPERATOR_LANGUAGES",
        "OPERATOR_CALLER_ID",
        "OPERATOR_RESPONSE_TIME",
        "OPERATOR_CANCEL_CONTACT",
    )
    @classmethod
    def _stripped(cls, text: str) -> str:
        return text.strip()

    @field_validator(*OPERATOR_REQUIRED)
    @classmethod
    def _operator_details(cls, text: str, info: ValidationInfo) -> str:
        name = info.field_name
        if not text:
            if _production(info):
                raise ValueError(f"{name} is not set: it must be, outside development: {OPERATOR_REQUIRED[name]}.")
            return text
        problem = _operator_problem(name, text, info.data.get("OPERATOR_COUNTRY", ""))
        if problem:
            raise ValueError(f"{name} {problem}: give {OPERATOR_REQUIRED[name]}.")
        return text.upper() if name == "OPERATOR_COUNTRY" else text

    @field_validator("PUBLIC_HOST")
    @classmethod
    def _public_host_given(cls, host: str, info: ValidationInfo) -> str:
        if not host and _production(info):
            raise ValueError(
                "PUBLIC_HOST is not set: it must be, outside development: the host name people use, "
                "such as help.example.org (several may be given, comma-separated). Requests for any other "
                "host are refused, so links are never built on a name someone else sent."
            )
        return host

    @field_validator("TRUSTED_PROXIES", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError("TRUSTED_PROXIES must be a whole number (0 or more).")
        return int(text)

    @field_validator("FORWARDED_ALLOW_IPS")
    @classmethod
    def _proxy_addresses(cls, text: str) -> str:
        from wizard.platform.proxies import parse_proxy_addresses

        try:
            parse_proxy_addresses(text)
        except RuntimeError as exc:
            raise ValueError(str(exc)) from None
        return text

    @field_validator("LOG_LEVEL")
    @classmethod
    def _level_name(cls, level: str) -> str:
        return level.strip().upper() or "INFO"

    @property
    def development(self) -> bool:
        return self.WIZARD_ENV == "development"

    def flask_config(self, instance: Path) -> dict:
        """The app's configuration; local keys in `instance` for development when none are given."""
        development = self.development
        config = {
            "RULES_DIR": self.RULES_DIR,
            "EXIT_URL": self.EXIT_URL,
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
            "RATELIMIT_STORAGE_URI": self.RATELIMIT_STORAGE_URI,
            "DEVELOPMENT": development,
            "WIZARD_ENV": self.WIZARD_ENV,
            "DATABASE_URL": self.DATABASE_URL or f"sqlite:///{instance / 'wizard.sqlite3'}",
            "CALLBACK_RATE_LIMIT": self.CALLBACK_RATE_LIMIT,
            "STAFF_SIGNIN_RATE_LIMIT": self.STAFF_SIGNIN_RATE_LIMIT,
            "STAFF_LOCKOUT_ATTEMPTS": self.STAFF_LOCKOUT_ATTEMPTS,
            "STAFF_LOCKOUT_MINUTES": self.STAFF_LOCKOUT_MINUTES,
            "STAFF_IDLE_MINUTES": 30,
            "TRUSTED_PROXIES": self.TRUSTED_PROXIES,
            "FORWARDED_ALLOW_IPS": self.FORWARDED_ALLOW_IPS,
            "LOG_LEVEL": self.LOG_LEVEL,
            "PUBLIC_HOST": self.PUBLIC_HOST,
            "STAFF_HOST": self.STAFF_HOST,
            "DIRECTORY_MAX_AGE": self.DIRECTORY_MAX_AGE,
            "DIRECTORY_SHOW_EXAMPLES": (
                development if self.DIRECTORY_SHOW_EXAMPLES is None else self.DIRECTORY_SHOW_EXAMPLES
            ),
        }
        for key in [*OPERATOR_DEFAULTS, *OPERATOR_REQUIRED]:
            config[key] = getattr(self, key)
        # Development fills in the fictional operator, all of it or none, and says so on the page.
        config["OPERATOR_DEMO"] = development and not any(
            getattr(self, key) for key in DEMO_OPERATOR if key != "OPERATOR_NAME"
        )
        if config["OPERATOR_DEMO"]:
            config.update(DEMO_OPERATOR, OPERATOR_NAME=self.OPERATOR_NAME or DEMO_OPERATOR["OPERATOR_NAME"])
        elif not config["OPERATOR_NAME"]:
            config["OPERATOR_NAME"] = OPERATOR_DEFAULTS["OPERATOR_NAME"]
        # Only development reaches here without keys: validation refuses their absence otherwise.
        config["SECRET_KEY"] = self.SECRET_KEY.get_secret_value() if self.SECRET_KEY else _local_secret(instance)
        config["DATA_KEYS"] = self.DATA_KEYS.get_secret_value() if self.DATA_KEYS else _local_data_key(instance)
        return config


def _operator_problem(name: str, text: str, country: str) -> str | None:
    """What is wrong with an operator detail that was given (never quoting it), or None."""
    import phonenumbers
    from babel import Locale

    english = Locale.parse("en")
    if name == "OPERATOR_COUNTRY" and text.upper() not in english.territories:
        return "is not a known two-letter country code"
    if name == "OPERATOR_LANGUAGES":
        codes = [code.strip() for code in text.split(",")]
        if not all(code in english.languages for code in codes):
            return "holds a code that is not a known language code"
    if name == "OPERATOR_RESPONSE_TIME" and response_time(text) is None:
        return "cannot be read"
    phone_like = {"OPERATOR_CALLER_ID": text.lower() != WITHHELD, "OPERATOR_CANCEL_CONTACT": "@" not in text}
    if phone_like.get(name) and not _valid_phone(phonenumbers, text, country):
        return "is not a phone number that can be read (start it with + and the country code)"
    return None


def _valid_phone(phonenumbers, text: str, country: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, country.upper() or None))
    except phonenumbers.NumberParseException:
        return False


class _MappingSource(EnvSettingsSource):
    """Environment variables from a given mapping instead of os.environ (the preflight's tests)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


_given_environ: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "wizard_settings_environ", default=None
)


def _problems(error: ValidationError) -> list[str]:
    """One sentence per problem; pydantic's own wording only for a value of the wrong type."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        cause = item.get("ctx", {}).get("error")
        name = ".".join(str(part) for part in item["loc"])
        problems.append(str(cause) if item["type"] == "value_error" and cause else f"{name}: {item['msg']}.")
    return problems


def load_settings(env: Mapping[str, str] | None = None, **given: Any) -> Settings:
    """The settings from `env` (os.environ by default), with `given` values taking precedence;
    SettingsError lists every problem at once."""
    token = _given_environ.set(env)
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise SettingsError(_problems(exc)) from None
    finally:
        _given_environ.reset(token)


def build_config(instance: Path, overrides: dict | None = None) -> dict:
    """The Flask configuration. `overrides` (the tests' create_app argument) replace the result,
    and those that are settings are checked like the environment's. The mode comes from the
    environment only: a test that overrides WIZARD_ENV gets production's config, not its checks."""
    overrides = overrides or {}
    given = {name: value for name, value in overrides.items() if name in Settings.model_fields and name != "WIZARD_ENV"}
    config = load_settings(**given).flask_config(instance)
    config.update(overrides)
    return config


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
