"""A real gunicorn server on 127.0.0.1 for the benchmarks: the wizard or the hello-world ceiling.

Both are started the same way: with the project's gunicorn.conf.py when there
is one (the production settings; only the address is overridden), otherwise
with the explicit settings below, and in production mode, as a deployment runs
(docs/deploy.md): keys of the right length, PUBLIC_HOST, one proxy trusted
(TRUSTED_PROXIES=1 from 127.0.0.1, where the benchmarks' clients stand in for
the TLS-terminating proxy), and rate limits in Redis, since several workers
counting in memory would each count on their own and the production check
refuses that. The server gets a throwaway SQLite database, a throwaway Redis
and keys of its own, and is stopped (its whole process group, and the Redis)
when the block ends, whatever happens inside it.

The benchmarks' clients speak plain http on loopback but act as a browser
behind that proxy: every request carries FORWARDED (the app then sees https,
as behind the proxy), POSTs a same-origin https Referer (the CSRF check on
https requires one), and the Secure cookies are sent back over the local http
link (`LoopbackTlsCookiePolicy`).
"""

from __future__ import annotations

import functools
import http.cookiejar
import os
import runpy
import secrets
import shutil
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
from urllib.parse import urlsplit

import requests

from wizard.storage.crypto import new_key

from .in_process import OPERATOR

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "gunicorn.conf.py"
# Only when there is no gunicorn.conf.py: the settings the reliability tests use.
FALLBACK = {"workers": 2, "threads": 4, "worker_class": "gthread"}
START_TIMEOUT_S = 90
# What the TLS-terminating proxy adds to every request (gunicorn and the app believe it from 127.0.0.1).
FORWARDED = {"X-Forwarded-Proto": "https"}
PUBLIC_HOST = "127.0.0.1"


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


class LoopbackTlsCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Sends Secure cookies back over plain http, as a browser does over the TLS link it
    has with the proxy: here that link is the loopback connection to the server itself."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


def https_origin(base: str) -> str:
    """The origin the visitor's browser sees, behind the proxy, for a server at `base`."""
    return "https://" + urlsplit(base).netloc


def _environment(port: int, database: Path, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "WIZARD_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATA_KEYS": new_key(),
        "PUBLIC_HOST": PUBLIC_HOST,
        **OPERATOR,
        "TRUSTED_PROXIES": "1",
        "FORWARDED_ALLOW_IPS": "127.0.0.1,::1",
        "RATELIMIT_STORAGE_URI": redis_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "CALLBACK_RATE_LIMIT": "100000 per hour",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A throwaway Redis on 127.0.0.1 (no persistence) for the rate limits; its URL."""
    program = shutil.which("redis-server")
    if program is None:
        raise RuntimeError("redis-server is not installed: run `make bench`, which installs it")
    port = free_port()
    log_path = folder / "redis.log"
    argv = [program, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder), "--logfile", str(log_path)]
    argv += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"]
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
                raise RuntimeError(f"Redis did not start:\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


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
            if requests.get(server.base + path, headers=FORWARDED, timeout=5).status_code == 200:
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
def running(
    app: str, ready_path: str = "/", *, database: Path | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """gunicorn serving `app` ("wsgi:app" or "bench.hello:app") until the block ends.

    `database`: an SQLite file already migrated (and filled, as a deployment's is) to serve
    from instead of an empty throwaway one; `extra_env`: settings added to the environment."""
    with (
        tempfile.TemporaryDirectory(prefix="wizard-bench-") as folder,
        redis_server(Path(folder)) as redis_url,
    ):
        port = free_port()
        log_path = Path(folder) / "server.log"
        env = {**_environment(port, database or Path(folder) / "bench.sqlite3", redis_url), **(extra_env or {})}
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
