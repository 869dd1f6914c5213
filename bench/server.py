"""A real gunicorn server on 127.0.0.1 for the benchmarks: the wizard or the hello-world ceiling.

Both are started the same way: with the project's gunicorn.conf.py when there
is one (the production settings; only the address is overridden), otherwise
with the explicit settings below. The server gets a throwaway SQLite database
and keys of its own, and is stopped (its whole process group) when the block
ends, whatever happens inside it.
"""

from __future__ import annotations

import functools
import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from wizard.storage.crypto import new_key

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "gunicorn.conf.py"
# Only when there is no gunicorn.conf.py: the settings the reliability tests use.
FALLBACK = {"workers": 2, "threads": 4, "worker_class": "gthread"}
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@functools.cache
def _has_no_control_socket() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return "--no-control-socket" in done.stdout


def _environment(port: int, database: Path) -> dict[str, str]:
    return {
        **os.environ,
        # Development: cookies without the Secure flag, as the benchmarks speak plain http.
        "WIZARD_ENV": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "DATA_KEYS": new_key(),
        "DATABASE_URL": f"sqlite:///{database}",
        "CALLBACK_RATE_LIMIT": "100000 per hour",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }


def settings() -> dict:
    """Workers, threads and worker class as the servers here get them."""
    if not CONF.exists():
        return {**FALLBACK, "source": "command-line flags"}
    env = {"HOST": "127.0.0.1", "PORT": "8000"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(CONF))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {
        "workers": conf.get("workers", 1),
        "threads": conf.get("threads", 1),
        "worker_class": conf.get("worker_class", "sync"),
        "source": "gunicorn.conf.py",
    }


def command(app: str, port: int) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn"]
    if CONF.exists():
        argv += ["-c", CONF.name]
    else:
        argv += ["--workers", str(FALLBACK["workers"]), "--threads", str(FALLBACK["threads"])]
        argv += ["--worker-class", FALLBACK["worker_class"]]
        if _has_no_control_socket():
            argv.append("--no-control-socket")
    return [*argv, "--bind", f"127.0.0.1:{port}", app]


@dataclass
class Server:
    app: str
    port: int
    log_path: Path
    process: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


def _wait_until_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.app} exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if requests.get(server.base + path, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.app} did not answer within {START_TIMEOUT_S} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass


@contextmanager
def running(app: str, ready_path: str = "/") -> Iterator[Server]:
    """gunicorn serving `app` ("wsgi:app" or "bench.hello:app") until the block ends."""
    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as folder:
        port = free_port()
        log_path = Path(folder) / "server.log"
        env = _environment(port, Path(folder) / "bench.sqlite3")
        with log_path.open("ab") as log:
            # A session of its own: the master and its workers form one process group, stopped together.
            process = subprocess.Popen(
                command(app, port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(app, port, log_path, process)
        try:
            _wait_until_ready(server, ready_path)
            yield server
        finally:
            _stop(process)
