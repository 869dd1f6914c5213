"""Checks before a production server starts, so a missing setting is a clear message
on the terminal instead of a traceback from every worker.

gunicorn.conf.py runs them in ``on_starting``; `make serve` runs them first too
(`python -m wizard serve-check`), before anything else is started.
"""

from __future__ import annotations

import os
from pathlib import Path

from wizard.platform.proxies import parse_proxy_addresses
from wizard.platform.settings import KEY_RECIPE, MIN_SECRET_LENGTH, PROJECT_ROOT, build_config, wizard_mode

MAKE_DATA_KEY = "python -m wizard keys new"


def default_workers() -> int:
    """gunicorn's worker processes unless WEB_CONCURRENCY says: 2 x cores + 1, at most 8."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def configured_workers(env) -> int:
    text = env.get("WEB_CONCURRENCY", "").strip()
    return int(text) if text.isdigit() else default_workers()


def shared_state_problems(config: dict, workers: int) -> list[str]:
    """Rate limits (and the quick exit's list of forgotten sessions) must be shared by every
    process, or each worker counts on its own and the limits multiply (M6)."""
    problems = []
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://") and workers > 1:
        problems.append(
            f"RATELIMIT_STORAGE_URI is memory:// but {workers} worker processes would each count on their own, "
            "multiplying every rate limit. Set RATELIMIT_STORAGE_URI=redis://[:password@]host:6379/0 "
            "(shared by every worker and instance), or run one worker with WEB_CONCURRENCY=1."
        )
    try:
        parse_proxy_addresses(config.get("FORWARDED_ALLOW_IPS", ""))
    except RuntimeError as exc:
        problems.append(str(exc))
    return problems


def preflight(instance: Path | None = None, env=None, *, workers: int | None = None) -> list[str]:
    """Every setting that stops the app from starting, each as a sentence (no secret in any)."""
    from wizard.storage.crypto import Sealer, parse_keys

    env = os.environ if env is None else env
    problems = []
    try:
        mode = wizard_mode(env)
    except RuntimeError as exc:
        return [str(exc)]
    if mode == "development":
        # Development mode sends cookies over plain HTTP and logs tracebacks: never serve people with it.
        return [
            "WIZARD_ENV is 'development': a production server refuses it (cookies without Secure, "
            "tracebacks in the logs, keys made on the fly). Unset WIZARD_ENV or set it to 'production'; "
            "`make run` is the way to run in development mode."
        ]
    secret = env.get("SECRET_KEY", "")
    if not secret:
        problems.append(f"SECRET_KEY is not set: it must be, outside development. Make one with: {KEY_RECIPE}")
    elif len(secret) < MIN_SECRET_LENGTH:
        problems.append(
            f"SECRET_KEY is too short: at least {MIN_SECRET_LENGTH} characters. Make one with: {KEY_RECIPE}"
        )
    if not env.get("DATA_KEYS", "").strip():
        problems.append(f"DATA_KEYS is not set: it must be, outside development. Make a key with: {MAKE_DATA_KEY}")
    if not env.get("PUBLIC_HOST", "").strip():
        problems.append("PUBLIC_HOST is not set: the host name people use, such as help.example.org.")
    if problems:
        return problems
    try:
        config = build_config(instance or PROJECT_ROOT / "instance")
    except RuntimeError as exc:
        return [str(exc)]
    try:
        Sealer(parse_keys(config["DATA_KEYS"]))
    except ValueError as exc:
        problems.append(f"DATA_KEYS: {exc}. Make a key with: {MAKE_DATA_KEY}")
    problems += shared_state_problems(config, configured_workers(env) if workers is None else workers)
    return problems


def check_or_explain(workers: int | None = None) -> None:
    """Raise RuntimeError with every problem; gunicorn prints it as "Error: ..." and exits 1."""
    problems = preflight(workers=workers)
    if problems:
        raise RuntimeError("Cannot start the wizard:\n" + "\n".join(f"  - {problem}" for problem in problems))
