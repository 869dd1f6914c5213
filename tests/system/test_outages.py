"""The reliability review's experiments, each against a real gunicorn (production mode, the
repository's gunicorn.conf.py) and a real PostgreSQL, Redis or SQLite file that fails mid-stream.

Every test sends a small stream of call-back requests from a few threads while probes read
the public pages, injects its fault, ends it, then checks the same figures:

- nothing acknowledged is lost: every reference a person saw is stored, with their name;
- nothing is duplicated: each person's name is stored at most once;
- "Nothing was stored" was true when it was said;
- sending a failed form again (same key) stores it once, or finds the stored one;
- the public pages answered throughout, quickly;
- the service recovered without restarting gunicorn (the resends succeed).

Loads are small (a few dozen submissions) so that the file runs in a few minutes on
two cores. Everything listens on 127.0.0.1; every loop and wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from tests.support.database_servers import RedisServer
from tests.support.operator import OPERATOR_SETTINGS
from tests.support.scale_out import CSRF, FORM_KEY, REFERENCE, Visitor
from tests.support.servers import Gunicorn, callback_form, open_store, upgrade_database
from wizard.storage.crypto import new_key

ROOT = Path(__file__).resolve().parents[2]
KEY = new_key()
NOTHING_STORED = "Your request could not be saved. Nothing was stored. Please try again."
NOT_CONFIRMED = (
    "We could not confirm that your request was saved. Press “Send my request” again: it will not be sent twice."
)
PUBLIC_PAGES = ("/", "/questions", "/help-now", "/healthz")
# A public page slower than this during a fault counts as not answering.
PAGE_BOUND = 3.0


# --- the server --------------------------------------------------------------------------------------------------


def production_env(database_url: str, **more: str) -> dict:
    """Two workers need shared rate limits (the server refuses memory:// with more than one):
    tests with two pass RATELIMIT_STORAGE_URI, the SQLite ones run one worker instead."""
    return {
        "WIZARD_ENV": "production",
        **OPERATOR_SETTINGS,
        "PUBLIC_HOST": "127.0.0.1,localhost",
        "SECRET_KEY": secrets.token_hex(32),
        "DATA_KEYS": KEY,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CALLBACK_RATE_LIMIT": "100000 per hour",
        # Small, so the server fits on two cores next to the database and the test.
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
        "LOG_LEVEL": "INFO",
        **more,
    }


@contextmanager
def serving(env: dict, log_path: Path, config: str = "gunicorn.conf.py", ready: str = "/readyz") -> Iterator[Gunicorn]:
    server = Gunicorn("the server", ["--config", str(ROOT / config)], env, log_path)
    try:
        server.start()
        server.wait_until_ready(time.monotonic() + 90, path=ready)
        yield server
    finally:
        server.stop()


def stored_names(database_url: str) -> dict[str, list[str]]:
    """name -> the references stored under it."""
    with open_store(database_url, KEY) as store:
        rows = store.list("all", limit=100_000)
    names: dict[str, list[str]] = {}
    for row in rows:
        names.setdefault(row.details["name"], []).append(row.reference)
    return names


# --- people sending the form -------------------------------------------------------------------------------------


@dataclass
class Attempt:
    name: str
    visitor: Visitor
    data: dict | None = None
    reference: str | None = None
    status: int | None = None
    said: str = ""  # "nothing stored", "not confirmed", or the exception's type
    seconds: float = 0.0
    started: float = 0.0  # time.monotonic() when the POST was sent


def _form_data(page: requests.Response, name: str) -> dict:
    csrf, key = CSRF.search(page.text), FORM_KEY.search(page.text)
    assert csrf and key, f"no form on {page.url} ({page.status_code})"
    return callback_form({"csrf_token": csrf.group(1), "form_key": key.group(1)}, name, f"Message from {name}")


def _read_outcome(attempt: Attempt, response: requests.Response) -> None:
    attempt.status = response.status_code
    match = REFERENCE.search(response.text) if response.url.endswith("/reach-out/requested") else None
    if response.status_code == 200 and match:
        attempt.reference = match.group(1)
    elif NOTHING_STORED in response.text:
        attempt.said = "nothing stored"
    elif NOT_CONFIRMED in response.text:
        attempt.said = "not confirmed"
    else:
        attempt.said = f"status {response.status_code}"


def send(visitor: Visitor, name: str) -> Attempt:
    attempt = Attempt(name, visitor)
    try:
        page = visitor.get("/reach-out")
        attempt.data = _form_data(page, name)
        attempt.started = time.monotonic()
        response = visitor.post("/reach-out", attempt.data)
        attempt.seconds = time.monotonic() - attempt.started
        _read_outcome(attempt, response)
    except requests.RequestException as exc:
        attempt.said = type(exc).__name__
    return attempt


def send_again(attempt: Attempt) -> Attempt:
    """Press Send again on the form the failed page showed: same key, same details."""
    again = Attempt(attempt.name, attempt.visitor, attempt.data)
    _read_outcome(again, attempt.visitor.post("/reach-out", attempt.data))
    return again


@dataclass
class Run:
    attempts: list[Attempt] = field(default_factory=list)
    probes: list[tuple[str, int, float]] = field(default_factory=list)  # path, status, seconds
    ready: list[dict] = field(default_factory=list)  # /readyz bodies seen


def stream(base: str, fault: Callable[[], None], *, threads: int = 3, each: int = 12, pause: float = 0.25) -> Run:
    """`threads` people each sending `each` requests with `pause` between them, probes every 0.25 s,
    and `fault()` run alongside (it injects the fault, waits, and ends it)."""
    run = Run()
    lock = threading.Lock()
    done = threading.Event()

    def person(number: int) -> None:
        # The visitor stays open: the test sends the failed forms again with it.
        visitor = Visitor([base])
        for i in range(each):
            attempt = send(visitor, f"Person {number}-{i:03d} {secrets.token_hex(3)}")
            with lock:
                run.attempts.append(attempt)
            time.sleep(pause)

    def probe() -> None:
        # A new connection each time, as a load balancer's probes and new visitors arrive.
        while not done.is_set():
            for path in (*PUBLIC_PAGES, "/readyz"):
                started = time.monotonic()
                try:
                    response = requests.get(base + path, timeout=30, headers={"Connection": "close"})
                    status = response.status_code
                    if path == "/readyz" and status == 200:
                        with lock:
                            run.ready.append(response.json())
                except requests.RequestException:
                    status = 0
                with lock:
                    run.probes.append((path, status, time.monotonic() - started))
            done.wait(0.25)

    workers = [threading.Thread(target=person, args=(n,)) for n in range(threads)]
    prober = threading.Thread(target=probe)
    injector = threading.Thread(target=fault)
    for thread in (prober, *workers, injector):
        thread.start()
    deadline = time.monotonic() + 180
    for thread in (*workers, injector):
        thread.join(timeout=max(1.0, deadline - time.monotonic()))
    done.set()
    prober.join(timeout=60)
    assert not any(t.is_alive() for t in (prober, *workers, injector)), "the stream did not finish in time"
    return run


def check_figures(run: Run, database_url: str) -> list[Attempt]:
    """The review's figures. Returns the failed attempts, for each test's own checks."""
    acknowledged = [a for a in run.attempts if a.reference]
    failed = [a for a in run.attempts if not a.reference and a.data is not None]
    assert acknowledged, "nothing was acknowledged at all"
    before = stored_names(database_url)
    # Nothing acknowledged is lost; nothing is duplicated.
    for attempt in acknowledged:
        assert before.get(attempt.name) == [attempt.reference], f"{attempt.name}: {before.get(attempt.name)}"
    assert all(len(references) == 1 for references in before.values()), "a request was stored twice"
    # "Nothing was stored" was true.
    for attempt in failed:
        if attempt.said == "nothing stored":
            assert attempt.name not in before, f"{attempt.name} was told nothing was stored, but it was"
    # Send again: stored once, or the stored one is found.
    for attempt in failed:
        again = send_again(attempt)
        assert again.reference, f"{attempt.name}: sending again gave {again.said}"
        if attempt.name in before:
            assert [again.reference] == before[attempt.name]
    after = stored_names(database_url)
    assert all(len(references) == 1 for references in after.values()), "a resend stored a second copy"
    assert set(after) == {a.name for a in acknowledged} | {a.name for a in failed} | set(before)
    # The public pages answered throughout.
    slow_or_failed = [p for p in run.probes if p[0] in PUBLIC_PAGES and (p[1] != 200 or p[2] > PAGE_BOUND)]
    assert not slow_or_failed, slow_or_failed[:5]
    assert all(p[1] == 200 for p in run.probes if p[0] == "/readyz"), "readyz left 200"
    return failed


def json_lines(log: str) -> list[dict]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


def check_log(server: Gunicorn, run: Run) -> list[dict]:
    """JSON lines only, no traceback, no one's name."""
    log = server.log()
    lines = [line for line in log.splitlines() if line.strip()]
    plain = [line for line in lines if not line.startswith("{")]
    assert not plain, plain[:5]
    assert "Traceback" not in log
    for attempt in run.attempts:
        assert attempt.name not in log
    assert "7911" not in "".join(entry["message"] for entry in json_lines(log))
    return json_lines(log)


def not_stored_lines(entries: list[dict]) -> list[str]:
    return [e["message"] for e in entries if e["message"].startswith("call-back request not stored")]


# --- PostgreSQL --------------------------------------------------------------------------------------------------


def _app_backends(cluster, dbname: str) -> list[int]:
    with cluster.admin() as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)
        ).fetchall()
    return [row[0] for row in rows]


def test_postgresql_restarted_and_its_connections_killed_mid_stream(own_postgres_cluster, redis_url, tmp_path):
    """Experiments 1 and 1b: a fast restart, then every app connection terminated (a failover)."""
    cluster = own_postgres_cluster
    url = cluster.url()
    env = production_env(url, RATELIMIT_STORAGE_URI=redis_url)
    upgrade_database(env)
    killed: list[int] = []

    def fault() -> None:
        time.sleep(1.5)
        cluster.restart()
        time.sleep(1.5)
        for pid in _app_backends(cluster, "wizard_test"):
            with cluster.admin() as connection:
                connection.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)

    with serving(env, tmp_path / "server.log") as server:
        run = stream(server.base, fault)
        failed = check_figures(run, url)
        entries = check_log(server, run)
    assert killed, "no app connection was there to kill"
    # Each failure is logged with its kind, never as a bare exception type.
    for line in not_stored_lines(entries):
        assert re.fullmatch(r"call-back request not stored: [a-z -]+ \([0-9A-Za-z_]+\)", line), line
    assert len(failed) <= len(run.attempts) // 3, f"{len(failed)} of {len(run.attempts)} failed"


def test_postgresql_stopped_mid_stream_then_started(own_postgres_cluster, redis_url, tmp_path):
    """Experiment 2: 4 s of outage. Submissions fail fast and truthfully, pages stay, recovery is prompt."""
    cluster = own_postgres_cluster
    url = cluster.url()
    env = production_env(url, RATELIMIT_STORAGE_URI=redis_url)
    upgrade_database(env)
    window: dict[str, float] = {}

    def fault() -> None:
        time.sleep(1.5)
        window["down"] = time.monotonic()
        cluster.halt()
        time.sleep(4)
        cluster.resume()
        window["up"] = time.monotonic()

    with serving(env, tmp_path / "server.log") as server:
        run = stream(server.base, fault, each=30)
        failed = check_figures(run, url)
        entries = check_log(server, run)
    assert failed, "the outage was not noticed"
    for attempt in failed:
        # "Not confirmed" only if the shutdown cut a COMMIT short; check_figures checked both.
        assert attempt.status == 503 and attempt.said in ("nothing stored", "not confirmed"), attempt.said
        assert attempt.seconds < 3, f"a failure took {attempt.seconds:.1f} s"
    # /readyz stayed 200 and said what was wrong, then that all was well again.
    states = [body["checks"]["database"] for body in run.ready]
    assert "unreachable" in states and states[-1] == "ok", states
    # Recovery without a restart: every request sent a second after the server was back was stored.
    after = [a for a in run.attempts if a.started > window["up"] + 1]
    assert after, "the stream ended before the database was back"
    assert all(a.reference for a in after), [(a.status, a.said) for a in after if not a.reference]
    assert "call-back request not stored: unreachable (OperationalError)" in not_stored_lines(entries)


def test_postgresql_down_when_the_server_starts(own_postgres_cluster, redis_url, tmp_path):
    """Experiment 3 (D1): the database is down, and not even migrated, when gunicorn starts.
    The public pages are served; the form says 503; a worker that dies and a reload change
    nothing; once the database is up and upgraded, requests are stored, without a restart."""
    cluster = own_postgres_cluster
    url = cluster.url()
    env = production_env(url, RATELIMIT_STORAGE_URI=redis_url)
    # Stopped, but still `running` for the fixture, which stops it again at the end.
    cluster.halt()

    with serving(env, tmp_path / "server.log") as server:
        visitor = Visitor([server.base])
        for path in PUBLIC_PAGES:
            assert requests.get(server.base + path, timeout=10).status_code == 200, path
        ready = requests.get(server.base + "/readyz", timeout=10)
        assert ready.status_code == 200
        assert ready.json()["checks"]["database"] == "unreachable"
        assert requests.get(server.base + "/readyz/database", timeout=10).status_code == 503
        down = send(visitor, "Person Before Start")
        assert (down.status, down.said) == (503, "nothing stored")

        # One worker dies during the outage (3C), then a reload (3D): the instance stays.
        workers = subprocess.run(
            ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True, timeout=10, check=False
        ).stdout.split()
        assert workers, "no worker processes"
        os.kill(int(workers[0]), signal.SIGKILL)
        os.kill(server.process.pid, signal.SIGHUP)
        for _second in range(8):
            time.sleep(1)
            assert server.process.poll() is None, "the master exited"
            for path in PUBLIC_PAGES:
                assert requests.get(server.base + path, timeout=10).status_code == 200, path

        # The database comes up, but nobody has upgraded it yet: reported, and still a 503.
        cluster.resume()
        assert requests.get(server.base + "/readyz", timeout=10).json()["checks"]["database"] == "schema behind"
        behind = send(visitor, "Person Before Upgrade")
        assert (behind.status, behind.said) == (503, "nothing stored")

        upgrade_database(env)
        assert requests.get(server.base + "/readyz", timeout=10).json()["checks"]["database"] == "ok"
        for attempt in (down, behind):
            again = send_again(attempt)
            assert again.reference, again.said
        fresh = send(visitor, "Person After Upgrade")
        assert fresh.reference
        entries = check_log(server, Run(attempts=[down, behind, fresh]))
    assert stored_names(url).keys() == {"Person Before Start", "Person Before Upgrade", "Person After Upgrade"}
    assert any("not stored: unreachable" in line for line in not_stored_lines(entries))
    assert any("not stored: schema behind" in line for line in not_stored_lines(entries))
    assert not any("Worker failed to boot" in e["message"] for e in entries)


def test_a_table_lock_is_a_bounded_wait(postgres_database, redis_url, tmp_path):
    """Experiment 7 (D3): a session holds an exclusive lock on the requests table for 6 s.
    Submissions end within the lock timeout with a friendly 503, pages are not held up, and a
    request slower than SLOW_REQUEST_SECONDS is logged at WARNING."""
    url = postgres_database
    env = production_env(url, SLOW_REQUEST_SECONDS="1.5", RATELIMIT_STORAGE_URI=redis_url)
    upgrade_database(env)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    held: dict[str, float] = {}

    def fault() -> None:
        time.sleep(1.5)
        with psycopg.connect(conninfo, connect_timeout=10) as connection:
            connection.execute("LOCK TABLE callback_requests IN ACCESS EXCLUSIVE MODE")
            held["from"] = time.monotonic()
            time.sleep(6)
            connection.rollback()

    with serving(env, tmp_path / "server.log") as server:
        run = stream(server.base, fault, each=14)
        failed = check_figures(run, url)
        entries = check_log(server, run)
    assert failed, "the lock was not noticed"
    for attempt in run.attempts:
        assert attempt.seconds < 4.5, f"a submission waited {attempt.seconds:.1f} s behind the lock"
    for attempt in failed:
        assert attempt.status == 503
    assert "call-back request not stored: lock timeout (55P03)" in not_stored_lines(entries)
    slow = [e for e in entries if e["level"] == "WARNING" and e.get("route") == "/reach-out"]
    assert slow and all(e["duration_ms"] >= 1500 for e in slow)


# --- Redis -------------------------------------------------------------------------------------------------------


@pytest.fixture
def own_redis():
    import shutil

    program = shutil.which("redis-server")
    if program is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("no redis-server on PATH (REQUIRE_REDIS=1)", pytrace=False)
        pytest.skip("no redis-server on PATH (install: bash scripts/ensure-redis.sh)")
    server = RedisServer(program)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _restart_redis(server: RedisServer) -> None:
    """The same server again, on the same port."""
    import redis

    command = [
        server.program, "--bind", "127.0.0.1", "--port", str(server.port), "--dir", str(server.root),
        "--logfile", str(server.log), "--save", "", "--appendonly", "no", "--daemonize", "no",
    ]  # fmt: skip
    server.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    for _wait in range(200):
        try:
            with redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=1) as client:
                if client.ping():
                    return
        except redis.RedisError:
            time.sleep(0.05)
    pytest.fail("Redis did not come back")


def test_redis_hung_then_stopped_never_holds_a_request_up(own_redis, tmp_path):
    """Experiments 4 and 4b (D6, D11): Redis frozen (SIGSTOP) for 6 s, later stopped for 3 s.
    Submissions stay fast on the in-memory fallback; the log has warnings, not tracebacks."""
    url = f"sqlite:///{tmp_path / 'wizard.sqlite3'}"
    env = production_env(url, RATELIMIT_STORAGE_URI=own_redis.url)
    upgrade_database(env)

    window: dict[str, float] = {}

    def fault() -> None:
        time.sleep(1.5)
        own_redis.process.send_signal(signal.SIGSTOP)
        window["hung"] = time.monotonic()
        time.sleep(6)
        own_redis.process.send_signal(signal.SIGCONT)
        window["answering"] = time.monotonic()
        time.sleep(1.5)
        own_redis.process.terminate()
        own_redis.process.wait(timeout=20)
        window["stopped"] = time.monotonic()
        time.sleep(3)
        _restart_redis(own_redis)
        window["back"] = time.monotonic()

    with serving(env, tmp_path / "server.log") as server:
        run = stream(server.base, fault, each=40)
        failed = check_figures(run, url)
        entries = check_log(server, run)
    assert failed == [], [(a.status, a.said) for a in failed]
    for start, end in (("hung", "answering"), ("stopped", "back")):
        during = [a for a in run.attempts if window[start] < a.started < window[end]]
        assert len(during) >= 3, f"too few submissions while Redis was {start}"
    # Without timeouts a submission waited for the whole hang (6 s).
    slowest = max(a.seconds for a in run.attempts)
    assert slowest < 3, f"a submission took {slowest:.1f} s while Redis was hung"
    limiter_lines = [e for e in entries if e["logger"] == "flask-limiter"]
    assert any(e["level"] == "WARNING" for e in limiter_lines), "the outage was not logged"
    assert all(e["level"] in ("INFO", "WARNING") for e in limiter_lines), limiter_lines
    assert not any("exception" in e for e in limiter_lines)


# --- SQLite ------------------------------------------------------------------------------------------------------


def test_sqlite_locked_by_another_writer_is_a_bounded_wait(tmp_path):
    """Experiment 5 (D3, D7): another process holds the write lock for 7 s. Submissions end
    within the 5 s busy timeout, and /readyz, which reads without the write lock, stays quick."""
    path = tmp_path / "wizard.sqlite3"
    url = f"sqlite:///{path}"
    # One process, so that the /readyz probes see the failed writes of the process that made them.
    env = production_env(url, WEB_CONCURRENCY="1", WEB_THREADS="8")
    upgrade_database(env)

    def fault() -> None:
        time.sleep(1.5)
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            time.sleep(7)
            holder.rollback()
        finally:
            holder.close()

    with serving(env, tmp_path / "server.log") as server:
        run = stream(server.base, fault, each=14)
        failed = check_figures(run, url)
        entries = check_log(server, run)
    for attempt in run.attempts:
        assert attempt.seconds < 6.5, f"a submission waited {attempt.seconds:.1f} s"
    assert failed, "the lock was not noticed"
    for attempt in failed:
        assert (attempt.status, attempt.said) == (503, "nothing stored")
    readyz = [p for p in run.probes if p[0] == "/readyz"]
    assert max(p[2] for p in readyz) < 2, "the readiness check queued behind the writer"
    assert "call-back request not stored: locked (SQLITE_BUSY)" in not_stored_lines(entries)
    assert "failing: locked" in [body["checks"]["database"] for body in run.ready]
    # The file holds staff password hashes and the audit log: this user's only (L15).
    for file in tmp_path.glob("wizard.sqlite3*"):
        assert file.stat().st_mode & 0o077 == 0, f"{file.name} is {oct(file.stat().st_mode)}"


def test_sqlite_on_a_full_disk_says_nothing_was_stored_and_recovers(tmp_path):
    """Experiment 6 (D7, D8): the disk is full for 4 s (simulated: see gunicorn_faults.py).
    Submissions fail fast and truthfully, /readyz says writes are failing and why, the log
    names the kind (disk full), and the first request after the space is back is stored."""
    path = tmp_path / "wizard.sqlite3"
    url = f"sqlite:///{path}"
    flag = tmp_path / "disk-full"
    env = production_env(url, WIZARD_TEST_DISK_FULL=str(flag), WEB_CONCURRENCY="1", WEB_THREADS="8")
    upgrade_database(env)

    def fault() -> None:
        time.sleep(1.5)
        flag.touch()
        time.sleep(4)
        flag.unlink()

    with serving(env, tmp_path / "server.log", config="tests/system/gunicorn_faults.py") as server:
        run = stream(server.base, fault, each=16)
        failed = check_figures(run, url)
        entries = check_log(server, run)
        # After the resends (check_figures) wrote again, all is well.
        assert requests.get(server.base + "/readyz", timeout=10).json()["checks"]["database"] == "ok"
    assert failed, "the full disk was not noticed"
    for attempt in failed:
        assert (attempt.status, attempt.said) == (503, "nothing stored")
        assert attempt.seconds < 2
    assert "failing: disk full" in [body["checks"]["database"] for body in run.ready]
    assert "call-back request not stored: disk full (SQLITE_FULL)" in not_stored_lines(entries)
