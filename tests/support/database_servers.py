"""A throwaway PostgreSQL server for the storage tests, and a `database_url`
fixture that runs each storage test on SQLite and on PostgreSQL.

The cluster lives in a temporary folder, trusts local connections, listens on
127.0.0.1 only (its unix socket stays in that folder) and is removed at the end.
The fixture is session-scoped, so under pytest-xdist every worker starts a
cluster of its own and no two workers share a database.

Without the server programs the PostgreSQL tests skip with the reason, unless
REQUIRE_POSTGRES=1 (set in CI) says they must run: then they fail.

A throwaway Redis server (`redis_url`) works the same way: 127.0.0.1 only, a free
port, no persistence, its own folder, stopped at the end; skipped without
`redis-server` unless REQUIRE_REDIS=1.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.support.servers import end, free_port, log_tail

DATABASE = "wizard_test"


def _unavailable(why: str) -> None:
    message = f"PostgreSQL server not available: {why}; storage tests run on SQLite only"
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{message} (REQUIRE_POSTGRES=1: these tests must run here)", pytrace=False)
    pytest.skip(message)


def _server_binaries() -> Path | None:
    """Debian keeps each major version's programs apart; take the newest."""

    def major(path: str) -> int:
        match = re.search(r"/postgresql/(\d+)/", path)
        return int(match.group(1)) if match else 0

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=major)
    if found:
        return Path(found[-1]).parent
    # Elsewhere (other distributions, Homebrew) the programs are usually on PATH.
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _reachable_by_others(folder: Path) -> bool:
    return all(os.stat(part).st_mode & 0o001 for part in [folder, *folder.parents])


def _cluster_parent(run_as: pwd.struct_passwd | None) -> str | None:
    """Where to make the cluster's folder: the usual temporary folder, unless the postgres user
    could not reach it, or it is so deep that the server's socket path would pass the
    108-byte limit for unix sockets."""
    usual = Path(tempfile.gettempdir())
    if len(str(usual)) > 60 or (run_as is not None and not _reachable_by_others(usual)):
        return "/tmp"
    return None


class Cluster:
    def __init__(self, binaries: Path, run_as: pwd.struct_passwd | None):
        self.binaries = binaries
        self.run_as = run_as
        self.root = Path(tempfile.mkdtemp(prefix="wizard-pg-", dir=_cluster_parent(run_as)))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.options = ""
        self.running = False
        if run_as is not None:
            # The server refuses to run as root, so the postgres user must own its folder.
            os.chown(self.root, run_as.pw_uid, run_as.pw_gid)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.binaries / program), *args]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as.pw_name, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        done = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        # A free port can be taken by someone else before the server binds it: try a few.
        for _attempt in range(3):
            self.port = free_port()
            # fsync off: the data is thrown away, and the tests should not wait on the disk.
            self.options = options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-p {self.port}",
                    f"-k {shlex.quote(str(self.root))}",
                    "-c fsync=off",
                    "-c full_page_writes=off",
                    "-c synchronous_commit=off",
                ]
            )
            done = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start"
            )
            if done.returncode == 0:
                self.running = True
                break
            if "could not bind" not in log_tail(self.log):
                break
        if not self.running:
            raise RuntimeError(f"PostgreSQL did not start:\n{done.stdout}\n{done.stderr}\n{log_tail(self.log)}")
        with self.admin() as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')

    def halt(self) -> None:
        """Stop the server as an outage would (fast shutdown); `resume()` starts it again on the same port."""
        done = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not stop:\n{done.stdout}\n{done.stderr}")

    def resume(self) -> None:
        # -l: without a log file the server would keep this call's output pipe open.
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", self.options, "start"
        )
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start again:\n{done.stdout}\n{done.stderr}\n{log_tail(self.log)}")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: what an operator or a package upgrade does."""
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "60", "-o", self.options,
            "restart",
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not restart:\n{done.stdout}\n{done.stderr}\n{log_tail(self.log)}")

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True, connect_timeout=10
        )

    def url(self, dbname: str = DATABASE) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        # Called at the end of the session and again at exit (harmless): whatever happened, leave nothing.
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)


_CLUSTERS: dict[str, Cluster] = {}


def _new_cluster() -> Cluster:
    binaries = _server_binaries()
    if binaries is None:
        _unavailable("no initdb under /usr/lib/postgresql/*/bin or on PATH (install: bash scripts/ensure-postgres.sh)")
    run_as = None
    if os.geteuid() == 0:
        try:
            run_as = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server as")
    return Cluster(binaries, run_as)


@pytest.fixture
def own_postgres_cluster():
    """A cluster of its own, for a test that stops it."""
    cluster = _new_cluster()
    atexit.register(cluster.stop)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url():
    cluster = _new_cluster()
    atexit.register(cluster.stop)
    try:
        cluster.start()
        url = cluster.url()
        _CLUSTERS[url] = cluster
        yield url
    finally:
        cluster.stop()


@contextlib.contextmanager
def new_database(postgres_url: str):
    """A new, empty database on the session's cluster, dropped afterwards."""
    cluster = _CLUSTERS[postgres_url]
    name = f"wizard_{uuid.uuid4().hex[:12]}"
    with cluster.admin() as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield cluster.url(name)
    finally:
        with cluster.admin() as connection, contextlib.suppress(psycopg.Error):
            # FORCE: a server process killed by a test may have left connections behind.
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_database(postgres_url):
    """A new, empty database on the session's cluster, dropped after the test."""
    with new_database(postgres_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database: a SQLite file, or a new database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wizard.sqlite3'}"
    return request.getfixturevalue("postgres_database")


# --- Redis ----------------------------------------------------------------------------------------------------------


def _redis_unavailable(why: str) -> None:
    message = f"Redis server not available: {why}; the scale-out tests are skipped"
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(f"{message} (REQUIRE_REDIS=1: these tests must run here)", pytrace=False)
    pytest.skip(message)


class RedisServer:
    def __init__(self, program: str):
        self.program = program
        self.root = Path(tempfile.mkdtemp(prefix="wizard-redis-"))
        self.log = self.root / "redis.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        # A free port can be taken by someone else before the server binds it: try a few.
        for _attempt in range(3):
            self.port = free_port()
            command = [
                self.program,
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.root),
                "--logfile", str(self.log),
                # Thrown away at the end: nothing is written to disk.
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--protected-mode", "yes",
            ]  # fmt: skip
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
            )
            deadline = time.monotonic() + 20
            for _wait in range(400):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    break
                try:
                    with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2) as client:
                        if client.ping():
                            return
                except redis.RedisError:
                    time.sleep(0.05)
            self.stop(remove=False)
            if "Address already in use" not in log_tail(self.log):
                break
        raise RuntimeError(f"Redis did not start:\n{log_tail(self.log)}")

    def stop(self, remove: bool = True) -> None:
        end(self.process)
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url():
    program = shutil.which("redis-server")
    if program is None:
        _redis_unavailable("no redis-server on PATH (install: bash scripts/ensure-redis.sh)")
    try:
        import redis  # noqa: F401  (Flask-Limiter's Redis storage needs it)
    except ImportError:
        _redis_unavailable("the redis Python package is not installed (pip install -r requirements.txt)")
    server = RedisServer(program)
    atexit.register(server.stop)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()
