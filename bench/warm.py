"""Every worker of a server warmed up on a page: each has answered it at least a few times.

A worker may still do some work on its first request for a page (templates compiled,
fragments kept; the directory's index and the towns are loaded when it starts), so a
measurement that starts before every worker has done so counts that as the page's cost. A kept-alive connection stays
with the worker that accepted it, and the kernel tends to wake the same few workers: the
page is therefore asked for over a new connection each time, enough at once to keep every
worker busy, until the server's log (one JSON line per request, with the worker's pid)
shows each worker has answered it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from . import processes, server
from .closed_loop import wrk

BURST_S = 2
BURST_CONNECTIONS = 50
MAX_BURSTS = 10
# For the log lines of the last requests to be written.
LOG_SETTLE_S = 0.5


def answered_by_pid(log_path: Path, route: str) -> Counter:
    """Requests for `route` (the route's pattern, as the log names it) answered 200, per worker."""
    served: Counter = Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        if '"route"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("route") == route and entry.get("status") == 200:
            served[entry["pid"]] += 1
    return served


def workers(running: server.Server) -> list[int]:
    master = running.process.pid
    return sorted(pid for pid, parent in processes.group(master).items() if parent == master)


def every_worker(running: server.Server, path: str, route: str, headers: dict[str, str], at_least: int) -> Counter:
    """Ask for `path` until every worker has answered it `at_least` times; how many each answered."""
    pids = workers(running)
    for _ in range(MAX_BURSTS):
        served = answered_by_pid(running.log_path, route)
        if all(served[pid] >= at_least for pid in pids):
            return served
        wrk(running.base + path, BURST_S, {**headers, "Connection": "close"}, connections=BURST_CONNECTIONS)
        time.sleep(LOG_SETTLE_S)
    served = answered_by_pid(running.log_path, route)
    short = [pid for pid in pids if served[pid] < at_least]
    if short:
        raise RuntimeError(f"workers {short} answered {path} fewer than {at_least} times after {MAX_BURSTS} bursts")
    return served
