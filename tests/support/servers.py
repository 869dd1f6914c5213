"""A real gunicorn process for tests, in a process group of its own, listening on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def log_tail(path: Path, chars: int = 2000) -> str:
    """The end of a server's log, for a failure message ("" while there is none)."""
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def end(process: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM a server we started, then SIGKILL if it has not gone within `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def send_secure_cookies_over_local_http(monkeypatch) -> None:
    """Browsers treat http://127.0.0.1 as a secure context and send a production server's
    `Secure` cookies there; Python's cookie jars do not. requests copies its jar (and the
    jar's policy) for every request and redirect, so the default policy itself is patched."""
    monkeypatch.setattr(DefaultCookiePolicy, "return_ok_secure", lambda _policy, _cookie, _request: True)


def upgrade_database(env: dict) -> None:
    """`python -m wizard db upgrade`: the deployment's one migration step, before any server starts."""
    done = subprocess.run(
        [sys.executable, "-m", "wizard", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"db upgrade failed:\n{done.stdout}\n{done.stderr}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`python -m gunicorn ARGS` with ENV added, logging to LOG_PATH. Nothing is started until start()."""

    def __init__(self, name: str, args: list[str], env: dict, log_path: Path):
        self.name = name
        self.args = args
        self.env = env
        self.log_path = log_path
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        env = {**os.environ, **self.env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        command = [sys.executable, "-m", "gunicorn", *self.args, "--bind", f"127.0.0.1:{self.port}"]
        with self.log_path.open("ab") as log:
            # A session of its own: the master and its workers form one process group to kill at once.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, deadline: float, path: str = "/readyz") -> None:
        """Poll PATH until it answers 200; fail with the end of the log if the process exits or time runs out."""
        for _attempt in range(1200):
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            try:
                if requests.get(self.base + path, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"{self.name} was not ready in time:\n{self.log()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker: no shutdown code runs anywhere."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass


@contextmanager
def open_store(database_url: str, key: str) -> Iterator:
    """The call-back store the servers under test write to, to read back what they stored."""
    from wizard.storage import Database, Sealer
    from wizard.storage.callbacks import CallbackStore

    database = Database(database_url)
    try:
        yield CallbackStore(database, Sealer([key]))
    finally:
        database.dispose()


CALLBACK_PHONE = "+44 7911 123456"


def callback_form(hidden: dict, name: str, message: str) -> dict:
    """A complete call-back form as a person fills it in, with the page's hidden fields."""
    return {
        **hidden,
        "name": name,
        "phone": CALLBACK_PHONE,
        "email": "",
        "contact_method": "call",
        "best_time": "evening",
        "language": "en",
        "leave_message": "no",
        "say_who": "no",
        "for_whom": "myself",
        "message": message,
        "consent": "y",
        "website": "",
    }
