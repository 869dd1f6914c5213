"""Checks before a production server starts, so a missing setting is a clear message
on the terminal instead of a traceback from every worker.

The settings are checked by the same validation the app runs at start-up
(wizard/platform/settings.py); only what depends on serving is added here: no
development mode, and rate limits shared by every worker.

gunicorn.conf.py runs them in ``on_starting``; `make serve` runs them first too
(`python -m wizard serve-check`), before anything else is started.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from wizard.platform.settings import Settings, SettingsError, load_settings

DEVELOPMENT_REFUSED = (
    "WIZARD_ENV is 'development': a production server refuses it (cookies without Secure, "
    "tracebacks in the logs, keys made on the fly). Unset WIZARD_ENV or set it to 'production'; "
    "`make run` is the way to run in development mode."
)


def default_workers() -> int:
    """gunicorn's worker processes unless WEB_CONCURRENCY says: 2 x cores + 1, at most 8."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def configured_workers(env: Mapping[str, str]) -> int:
    text = env.get("WEB_CONCURRENCY", "").strip()
    return int(text) if text.isdigit() else default_workers()


def shared_state_problems(settings: Settings, workers: int) -> list[str]:
    """Rate limits (and the quick exit's list of forgotten sessions) must be shared by every
    process, or each worker counts on its own and the limits multiply (M6)."""
    if settings.RATELIMIT_STORAGE_URI.startswith("memory://") and workers > 1:
        return [
            f"RATELIMIT_STORAGE_URI is memory:// but {workers} worker processes would each count on their own, "
            "multiplying every rate limit. Set RATELIMIT_STORAGE_URI=redis://[:password@]host:6379/0 "
            "(shared by every worker and instance), or run one worker with WEB_CONCURRENCY=1."
        ]
    return []


def preflight(env: Mapping[str, str] | None = None, *, workers: int | None = None) -> list[str]:
    """Every setting that stops the app from serving, each as a sentence (no secret in any)."""
    env = os.environ if env is None else env
    try:
        settings = load_settings(env)
    except SettingsError as exc:
        problems, development = exc.problems, env.get("WIZARD_ENV", "").strip().lower() == "development"
    else:
        problems = shared_state_problems(settings, configured_workers(env) if workers is None else workers)
        development = settings.development
    if development:
        # Development mode sends cookies over plain HTTP and logs tracebacks: never serve people with it.
        return [DEVELOPMENT_REFUSED, *problems]
    return problems


def check_or_explain(workers: int | None = None) -> None:
    """Raise SettingsError with every problem; gunicorn prints it as "Error: ..." and exits 1."""
    problems = preflight(workers=workers)
    if problems:
        raise SettingsError(problems)
