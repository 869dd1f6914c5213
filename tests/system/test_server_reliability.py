"""Call-back requests through a real server process (gunicorn, several workers and threads).

A person who sees "Your request has been sent" must be able to rely on it: the
request is in the database, complete, once, even when many arrive at once, when
the same form is sent twice, and when the server is killed mid-stream.

The server listens on 127.0.0.1 only, and every loop here is bounded in count
and in time, so a broken server fails these tests instead of hanging them.
"""

from __future__ import annotations

import functools
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.support.operator import OPERATOR_SETTINGS
from tests.support.servers import (
    Gunicorn,
    callback_form,
    open_store,
    send_secure_cookies_over_local_http,
    upgrade_database,
)
from wizard.storage.crypto import new_key

ROOT = Path(__file__).resolve().parents[2]
KEY = new_key()
REFERENCE = re.compile(r'<strong class="reference"><bdi dir="ltr">([0-9A-Z]{4}-[0-9A-Z]{4})</bdi></strong>')
REQUEST_TIMEOUT = 30


@functools.cache
def _gunicorn_has_no_control_socket() -> bool:
    # Newer gunicorn versions open a control socket by default; two test servers must not share one.
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return "--no-control-socket" in done.stdout


class Server(Gunicorn):
    """The app under gunicorn: 2 workers x 4 threads, a fresh secret, the test data key."""

    def __init__(self, database_url: str, log_path: Path, rate_limits: str):
        args = ["--workers", "2", "--threads", "4", "--graceful-timeout", "10"]
        if _gunicorn_has_no_control_socket():
            args.append("--no-control-socket")
        env = {
            # Production, as served (the server refuses development mode); see secure_cookies.
            "WIZARD_ENV": "production",
            **OPERATOR_SETTINGS,
            "PUBLIC_HOST": "127.0.0.1,localhost",
            # Two workers must share their rate limits: the server refuses memory:// with more than one.
            "RATELIMIT_STORAGE_URI": rate_limits,
            "SECRET_KEY": secrets.token_hex(32),
            "DATA_KEYS": KEY,
            "DATABASE_URL": database_url,
            "CALLBACK_RATE_LIMIT": "100000 per hour",
        }
        super().__init__("the server", [*args, "wsgi:app"], env, log_path)

    def start(self) -> None:
        upgrade_database(self.env)
        super().start()
        self.wait_until_ready(time.monotonic() + 90, path="/reach-out")


@pytest.fixture(autouse=True)
def secure_cookies(monkeypatch):
    send_secure_cookies_over_local_http(monkeypatch)


@contextmanager
def running_server(database_url: str, log_path: Path, rate_limits: str) -> Iterator[Server]:
    server = Server(database_url, log_path, rate_limits)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def read_form(session: requests.Session, base: str) -> dict:
    page = session.get(base + "/reach-out", timeout=REQUEST_TIMEOUT)
    assert page.status_code == 200, page.status_code
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    key = re.search(r'name="form_key" value="([^"]+)"', page.text)
    assert csrf and key, "the form has no csrf_token or form_key"
    return {"csrf_token": csrf.group(1), "form_key": key.group(1)}


def confirmed_reference(response: requests.Response) -> str | None:
    """The reference, if this response is the confirmation page a person would see."""
    if response.status_code != 200 or not response.url.endswith("/reach-out/requested"):
        return None
    match = REFERENCE.search(response.text)
    return match.group(1) if match else None


def submit(session: requests.Session, base: str, name: str, message: str) -> str | None:
    data = callback_form(read_form(session, base), name, message)
    return confirmed_reference(session.post(base + "/reach-out", data=data, timeout=REQUEST_TIMEOUT))


def test_500_requests_from_20_threads_are_all_stored_once_and_complete(database_url, redis_url, tmp_path):
    threads_count, per_thread = 20, 25
    sent: dict[str, tuple[str, str]] = {}  # reference -> (name, message)
    confirmed: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def person(thread: int, server: Server) -> None:
        with requests.Session() as session:
            for i in range(per_thread):
                n = thread * per_thread + i
                name, message = f"Person {n:04d}", f"Message {n:04d}: please call after six.\nThank you."
                try:
                    reference = submit(session, server.base, name, message)
                except requests.RequestException as exc:
                    reference, detail = None, type(exc).__name__
                else:
                    detail = "no confirmation page"
                with lock:
                    if reference is None:
                        failures.append(f"{name}: {detail}")
                    else:
                        confirmed.append(reference)
                        sent[reference] = (name, message)

    with running_server(database_url, tmp_path / "server.log", redis_url) as server:
        threads = [threading.Thread(target=person, args=(t, server)) for t in range(threads_count)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 240
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads), "submissions did not finish in time"

    assert failures == []
    assert len(confirmed) == threads_count * per_thread
    assert len(set(confirmed)) == len(confirmed), "two people were shown the same reference"
    with open_store(database_url, KEY) as store:
        assert store.count() == len(confirmed)
        rows = store.list("all", limit=10 * len(confirmed))
        assert sorted(row.reference for row in rows) == sorted(confirmed)
        for row in rows:
            name, message = sent[row.reference]
            assert row.details["name"] == name
            assert row.details["message"] == message
            assert row.details["phone"] == "+447911123456"


def test_requests_confirmed_before_a_sigkill_survive_it(database_url, redis_url, tmp_path):
    wanted, threads_count, per_thread = 60, 4, 400
    confirmed: dict[str, tuple[str, str]] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def person(thread: int, server: Server) -> None:
        with requests.Session() as session:
            for i in range(per_thread):
                if stop.is_set():
                    return
                name, message = f"Person {thread}-{i:04d}", f"Message {thread}-{i:04d}"
                try:
                    reference = submit(session, server.base, name, message)
                except (requests.RequestException, AssertionError):
                    return  # the server is gone: from here on nothing was confirmed
                if reference is not None:
                    with lock:
                        confirmed[reference] = (name, message)

    log = tmp_path / "server.log"
    server = Server(database_url, log, redis_url)
    try:
        server.start()
        threads = [threading.Thread(target=person, args=(t, server)) for t in range(threads_count)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while len(confirmed) < wanted and time.monotonic() < deadline and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        # Killed while the threads keep sending: some requests are cut off half-way.
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a submitting thread did not stop"
    finally:
        server.stop()
    assert len(confirmed) >= wanted, f"only {len(confirmed)} requests were confirmed before the deadline"

    # The same database again, as after a crash and a restart.
    with running_server(database_url, log, redis_url) as server, requests.Session() as session:
        assert submit(session, server.base, "After Restart", "still working") is not None

    with open_store(database_url, KEY) as store:
        rows = store.list("all", limit=10_000)  # opens every row: a half-written one raises SealError
        stored = {row.reference: row.details for row in rows}
        assert store.count() == len(rows)
    assert len(rows) >= len(confirmed) + 1
    for reference, (name, message) in confirmed.items():
        assert reference in stored, f"{reference} was confirmed but is not stored"
        assert stored[reference]["name"] == name
        assert stored[reference]["message"] == message
    complete = {"name", "phone", "best_time", "language", "leave_message", "say_who", "for_whom", "message", "summary"}
    for details in stored.values():
        assert complete <= set(details)


def test_the_same_form_sent_twice_is_stored_once(database_url, redis_url, tmp_path):
    with running_server(database_url, tmp_path / "server.log", redis_url) as server:
        first, second = requests.Session(), requests.Session()
        data = callback_form(read_form(first, server.base), "Double Click", "sent twice")
        # The second browser tab: same cookie, same form.
        second.cookies.update(first.cookies)
        barrier = threading.Barrier(2, timeout=30)
        references: dict[str, str | None] = {}

        def send(label: str, session: requests.Session) -> None:
            barrier.wait()
            references[label] = confirmed_reference(
                session.post(server.base + "/reach-out", data=data, timeout=REQUEST_TIMEOUT)
            )

        threads = [threading.Thread(target=send, args=item) for item in (("first", first), ("second", second))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # And once more after both answered, as after pressing Back and Send again.
        references["again"] = confirmed_reference(
            first.post(server.base + "/reach-out", data=data, timeout=REQUEST_TIMEOUT)
        )
        first.close()
        second.close()

    assert set(references) == {"first", "second", "again"}
    assert None not in references.values(), references
    assert len(set(references.values())) == 1, references
    with open_store(database_url, KEY) as store:
        assert store.count() == 1
        assert store.get(references["first"]).details["name"] == "Double Click"
