"""`make serve`: gunicorn with gunicorn.conf.py, which refuses to start without its secrets, clearly."""

from __future__ import annotations

import json
import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from gunicorn import glogging

from tests.support.operator import OPERATOR_SETTINGS
from wizard.platform.preflight import preflight
from wizard.storage.crypto import new_key

from ..conftest import ROOT

GOOD = {
    "WIZARD_ENV": "production",
    "SECRET_KEY": secrets.token_hex(32),
    "DATA_KEYS": new_key(),
    "WEB_CONCURRENCY": "1",
    "PUBLIC_HOST": "help.example.org",
    **OPERATOR_SETTINGS,
}


def _env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATA_KEYS", "WIZARD_ENV")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def test_preflight_names_every_missing_setting_and_how_to_make_it():
    problems = preflight({"WIZARD_ENV": "production", **OPERATOR_SETTINGS})
    assert len(problems) == 3
    assert problems[2].startswith("PUBLIC_HOST is not set")
    assert problems[0].startswith("SECRET_KEY is not set") and "secrets.token_hex(32)" in problems[0]
    assert problems[1].startswith("DATA_KEYS is not set") and "python -m wizard keys new" in problems[1]


def test_preflight_refuses_a_short_secret_and_a_bad_data_key(tmp_path, monkeypatch):
    assert "SECRET_KEY is too short" in preflight({**GOOD, "SECRET_KEY": "changeme"})[0]
    for name, value in {**GOOD, "DATA_KEYS": "not-a-fernet-key-at-all"}.items():
        monkeypatch.setenv(name, value)
    (problem,) = preflight()
    assert problem.startswith("DATA_KEYS: a data key is not a valid Fernet key")
    assert "not-a-fernet-key-at-all" not in problem


def test_preflight_passes_with_the_settings(tmp_path, monkeypatch):
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    assert preflight() == []


def test_preflight_refuses_development_mode_and_says_how_to_serve():
    (problem,) = preflight({**GOOD, "WIZARD_ENV": "development"})
    assert problem.startswith("WIZARD_ENV is 'development'") and "make run" in problem
    (problem,) = preflight({**GOOD, "WIZARD_ENV": "prod"})
    assert "WIZARD_ENV must be 'production' or 'development'" in problem


def test_preflight_without_wizard_env_checks_as_production():
    """The review's reproduction: no WIZARD_ENV and no keys used to print "Settings OK"."""
    problems = preflight({})
    assert [problem.split(" is not set")[0] for problem in problems] == [
        "SECRET_KEY",
        "DATA_KEYS",
        "PUBLIC_HOST",
        *OPERATOR_SETTINGS,
    ]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_without_secrets_stops_at_once_with_a_clear_message():
    env = _env(WIZARD_ENV="production", PORT=str(_free_port()), HOST="127.0.0.1")
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Cannot start the wizard:" in done.stderr
    assert "SECRET_KEY is not set" in done.stderr and "DATA_KEYS is not set" in done.stderr
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr


def test_serve_check_command():
    command = [sys.executable, "-m", "wizard", "serve-check"]
    refused = subprocess.run(
        command, cwd=ROOT, env=_env(WIZARD_ENV="production"), capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 1
    assert "SECRET_KEY is not set" in refused.stderr
    unset = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60, check=False)
    assert unset.returncode == 1 and "SECRET_KEY is not set" in unset.stderr
    development = subprocess.run(
        command,
        cwd=ROOT,
        env=_env(**{**GOOD, "WIZARD_ENV": "development"}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert development.returncode == 1 and "WIZARD_ENV is 'development'" in development.stderr
    passed = subprocess.run(
        command, cwd=ROOT, env=_env(**GOOD), capture_output=True, text=True, timeout=60, check=False
    )
    assert passed.returncode == 0, passed.stderr
    assert GOOD["SECRET_KEY"] not in passed.stdout + passed.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"bind": ["127.0.0.1:8000"], "threads": 4}),
        (
            {"HOST": "localhost", "PORT": "9001", "WEB_CONCURRENCY": "3", "WEB_THREADS": "8"},
            {"bind": ["localhost:9001"], "workers": 3, "threads": 8},
        ),
        (
            {"FORWARDED_ALLOW_IPS": "127.0.0.2", "LOG_LEVEL": "WARNING"},
            {"forwarded_allow_ips": "127.0.0.2", "loglevel": "warning"},
        ),
    ],
)
def test_the_gunicorn_config_comes_from_the_environment(monkeypatch, env, expected):
    for name in ("HOST", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "FORWARDED_ALLOW_IPS", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    for name, value in expected.items():
        assert config[name] == value, name
    assert 1 <= config["workers"] <= 8
    # Side by side on one machine: no control socket; no gunicorn access log (the app logs requests).
    assert config["control_socket_disable"] is True
    assert config["accesslog"] is None
    # gunicorn's own logger, but for the access line, which it would otherwise work out for every request.
    assert issubclass(config["logger_class"], glogging.Logger)
    assert config["logger_class"].access is not glogging.Logger.access
    logging = config["logconfig_dict"]
    assert logging["formatters"]["json"]["()"] == "wizard.platform.logging_setup.JsonFormatter"
    assert logging["handlers"]["json"]["formatter"] == "json" and logging["root"]["handlers"] == ["json"]
    assert logging["loggers"]["gunicorn.error"]["filters"] == ["redact"]
    assert logging["filters"]["redact"]["()"] == "wizard.platform.logging_setup.Redact"
    # gunicorn's access line (raw request line, query string, address) is never written.
    assert logging["loggers"]["gunicorn.access"] == {"level": "CRITICAL", "handlers": [], "propagate": False}
    assert config["wsgi_app"] == "wsgi:app"


def test_gunicorn_works_out_no_access_line():
    """The access line is never written (gunicorn.access at CRITICAL), so its fields (the request
    line, every header and environ entry) are not worked out for each request either."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    logger = config["logger_class"].__new__(config["logger_class"])
    # Arguments that would fail at the first field read: nothing of the request is looked at.
    assert logger.access(object(), object(), object(), object()) is None


def test_several_workers_counting_rate_limits_in_memory_are_refused():
    """M6: with memory:// each worker counted on its own (20 sign-ins got through a limit of 10)."""
    (problem,) = preflight({**GOOD, "WEB_CONCURRENCY": "3"})
    assert problem.startswith("RATELIMIT_STORAGE_URI is memory:// but 3 worker processes")
    assert preflight({**GOOD, "WEB_CONCURRENCY": "1"}) == []
    assert preflight({**GOOD, "WEB_CONCURRENCY": "3", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}) == []


def test_believing_forwarded_addresses_from_anyone_is_refused(tmp_path, monkeypatch):
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    (problem,) = preflight()
    assert problem.startswith("FORWARDED_ALLOW_IPS must list the proxies' addresses")


def _served(env: dict, log_path, port: int, paths: list[str], raw: bytes) -> None:
    """Start gunicorn with gunicorn.conf.py, send `paths` and one `raw` request, stop it."""
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(300):
            assert server.poll() is None, log_path.read_text()
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        for path in paths:
            requests.get(base + path, timeout=10)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(raw)
            connection.recv(1000)
        time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_gunicorn_logs_json_lines_without_the_request_line_or_its_query(tmp_path):
    """gunicorn's logconfig_dict: its own messages as the app's JSON lines, and its access line
    (which would quote the path as typed, the query string and the address) never written."""
    port = _free_port()
    database = f"sqlite:///{tmp_path / 'logs.sqlite3'}"
    env = _env(**{**GOOD, "PUBLIC_HOST": "127.0.0.1"}, HOST="127.0.0.1", PORT=str(port), DATABASE_URL=database)
    env["LOG_LEVEL"] = "INFO"
    upgraded = subprocess.run(
        [sys.executable, "-m", "wizard", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    log_path = tmp_path / "server.log"
    _served(env, log_path, port, ["/shared/SHARECODE4242?q=private-query"], b"NOT-HTTP /private-line HTTP/9\r\n\r\n")
    text = log_path.read_text()
    entries = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    assert "SHARECODE4242" not in text and "private-query" not in text and "private-line" not in text
    assert "127.0.0.1 -" not in text and not [e for e in entries if e["logger"] == "gunicorn.access"]
    booting = next(e for e in entries if e["message"].startswith("Booting worker"))
    assert booting["logger"] == "gunicorn.error" and set(booting) == {"time", "level", "logger", "message", "pid"}
    assert {
        "logger": "gunicorn.error",
        "level": "WARNING",
        "message": "Invalid request (not HTTP, or malformed)",
    }.items() <= next(e for e in entries if e["level"] == "WARNING").items()
    (shared,) = [e for e in entries if e["logger"] == "wizard.access"]
    assert shared["route"] == "/shared/<code>" and shared["method"] == "GET"
