"""CPU time per page under gunicorn, against a template ceiling measured in the same run.

Three servers side by side, each started as production runs it (bench/server.py, the
project's gunicorn.conf.py): hello world (bench/hello.py), the template ceiling
(bench/ceiling.py: a static page of the results page's size, with one variable,
compressed as the wizard compresses) and the wizard, serving a database with
directory.SERVICES generated services published (bench/directory.py), as a deployment
has its directory. The ceiling's page is a copy of the results page this wizard serves
for the FULL answers (bench/journey.py), taken once before the ceiling starts.

Before the rounds, every worker of the wizard has answered each page a few times
(bench/warm.py: a worker's first results page loads the directory's index), and each URL
is warmed up once more with wrk. Then for each URL, wrk (closed loop, CONNECTIONS
connections: enough to keep both cores busy without a long queue) runs for DURATION_S;
the CPU time the server's processes (the gunicorn master and its workers: one process
group) used meanwhile, from /proc, divided by the requests answered, is its CPU per
request. wrk's own CPU is not counted. The URLs are measured in turn, ROUNDS times
over, as this shared machine's speed drifts; a page's ratio to the ceiling is the median
of its ratios within a round. Requests per second and latencies are given as
information: on 2 cores shared with wrk they say little about capacity.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

from . import ceiling, directory, journey, processes, server, standalone, warm
from .closed_loop import ACCEPT_ENCODING, wrk

CONNECTIONS = 10
WARMUP_S = 2
ROUNDS = 5
DURATION_S = 4
# Long enough for the last requests wrk left in flight to finish before the CPU is read again.
SETTLE_S = 0.3
# (name, server, path, with the finished visitor's cookie)
PAGES = (
    ("hello", "hello", "/", False),
    ("ceiling", "ceiling", "/", False),
    ("start", "wizard", "/", False),
    ("question", "wizard", "/questions/faith", True),
    ("results", "wizard", "/results", True),
)
# The wizard's pages by the route pattern its log names them by: each worker answers each this often
# before the rounds (the first results page of a worker loads the directory's index).
ROUTES = {"start": "/", "question": "/questions/<question_id>", "results": "/results"}
WARM_PAGES = 3
# At most this many times the ceiling's CPU per request.
TARGETS = {"results": 2.0, "question": 1.5}
# glibc's malloc, for all three servers alike. By default it hands freed memory at the top of its heaps back to
# the system and maps large blocks afresh, and a process whose heap holds little (hello world, the ceiling) does
# that on every response: brotli's tables for a page are some 1 MB, taken and freed each time, and the ceiling
# took some 65 page faults and 0.3 ms more CPU per request than with these fixed thresholds. The wizard's larger
# heap took none either way. Without this the peer would be slower than it need be, and the ratios flattered.
ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(4 << 20), "MALLOC_TRIM_THRESHOLD_": str(8 << 20)}


def _uncompressed_size(url: str, headers: dict[str, str]) -> tuple[int, str]:
    response = requests.get(
        url, headers={**server.FORWARDED, **headers, "Accept-Encoding": "identity"}, timeout=journey.TIMEOUT_S
    )
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(response.content), response.text


def _measure(running: server.Server, url: str, headers: dict[str, str]) -> dict:
    group = running.process.pid
    before, faults_before = processes.group_cpu_seconds(group), processes.group_minor_faults(group)
    result = wrk(url, DURATION_S, headers, connections=CONNECTIONS)
    time.sleep(SETTLE_S)
    used = processes.group_cpu_seconds(group) - before
    faults = processes.group_minor_faults(group) - faults_before
    answered = max(result["requests"], 1)
    return {**result, "cpu_s": used, "cpu_ms": used * 1000 / answered, "faults": faults / answered}


def _combine(rounds: list[dict], ceiling_rounds: list[dict]) -> dict:
    """One URL's rounds as one row: medians, the median ratio to the ceiling within a round, totals."""
    middle = statistics.median
    return {
        "cpu_ms": middle(r["cpu_ms"] for r in rounds),
        "cpu_ms_rounds": [round(r["cpu_ms"], 3) for r in rounds],
        "x_ceiling": middle(r["cpu_ms"] / c["cpu_ms"] for r, c in zip(rounds, ceiling_rounds, strict=True)),
        "x_ceiling_rounds": [round(r["cpu_ms"] / c["cpu_ms"], 3) for r, c in zip(rounds, ceiling_rounds, strict=True)],
        "requests": sum(r["requests"] for r in rounds),
        "rps": middle(r["rps"] for r in rounds),
        "p50_ms": middle(r["p50_ms"] for r in rounds),
        "p99_ms": middle(r["p99_ms"] for r in rounds),
        "errors": sum(r["errors"] + r["not_200"] for r in rounds),
        "kb_per_response": middle(r["kb_per_response"] for r in rounds),
        "faults_per_request": middle(r["faults"] for r in rounds),
    }


def run(log=print) -> dict:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-cpu-") as folder:
        log(f"  publishing {directory.SERVICES:,} generated services ...")
        database, imported = directory.published_database(Path(folder), lambda line: log(f"  {line.strip()}"))
        with server.running("wsgi:app", ready_path="/reach-out", database=database, extra_env=ALLOCATOR) as wizard:
            cookie = {"Cookie": journey.results_cookie(wizard.base)}
            results_bytes, html = _uncompressed_size(wizard.base + "/results", cookie)
            template = Path(folder) / "ceiling.html"
            ceiling.write_template(html, template)
            ceiling_env = {**ALLOCATOR, ceiling.TEMPLATE_ENV: str(template)}
            with (
                server.running("bench.hello:app", extra_env=ALLOCATOR) as hello,
                server.running("bench.ceiling:app", extra_env=ceiling_env) as peer,
            ):
                ceiling_bytes, _ = _uncompressed_size(peer.base + "/", {})
                servers = {"hello": hello, "ceiling": peer, "wizard": wizard}
                targets = {
                    name: (servers[which], path, cookie if with_cookie else {})
                    for name, which, path, with_cookie in PAGES
                }
                sizes = {name: _uncompressed_size(r.base + path, h)[0] for name, (r, path, h) in targets.items()}
                for name, (running, path, headers) in targets.items():
                    if name in ROUTES:
                        warm.every_worker(running, path, ROUTES[name], headers, WARM_PAGES)
                    wrk(running.base + path, WARMUP_S, headers, connections=CONNECTIONS)
                measured: dict[str, list[dict]] = {name: [] for name in targets}
                for number in range(1, ROUNDS + 1):
                    log(f"  round {number} of {ROUNDS}: {', '.join(targets)} ...")
                    for name, (running, path, headers) in targets.items():
                        measured[name].append(_measure(running, running.base + path, headers))
    pages = {
        name: {"path": targets[name][1], "bytes": sizes[name], **_combine(rounds, measured["ceiling"])}
        for name, rounds in measured.items()
    }
    for name, page in pages.items():
        log(f"   {name}: {page['cpu_ms']:.2f} ms CPU per request, ×{page['x_ceiling']:.2f} the ceiling")
    return {
        "connections": CONNECTIONS,
        "warmup_s": WARMUP_S,
        "rounds": ROUNDS,
        "duration_s": DURATION_S,
        "accept_encoding": ACCEPT_ENCODING,
        "allocator": ALLOCATOR,
        "gunicorn": server.settings(),
        "services": imported["services"],
        "results_page_bytes": results_bytes,
        "ceiling_page_bytes": ceiling_bytes,
        "services_shown": html.count('class="service"'),
        "pages": pages,
    }


def targets(data: dict) -> list[list[str]]:
    pages = data["pages"]
    rows = []
    for name, limit in TARGETS.items():
        page = pages[name]
        rows.append(
            [
                f"{name} page CPU per request ≤ {limit:g}× the template ceiling's",
                f"{page['x_ceiling']:.2f}× ({page['cpu_ms']:.2f} vs {pages['ceiling']['cpu_ms']:.2f} ms)",
                "PASS" if page["x_ceiling"] <= limit else "MISS",
            ]
        )
    broken = sum(page["errors"] for page in pages.values())
    rows.append(["no errors in the CPU runs", f"{broken} errors", "PASS" if broken == 0 else "MISS"])
    return rows


def report(data: dict) -> list[str]:
    g = data["gunicorn"]
    lines = [
        f"gunicorn from {g['source']}: {g['workers']} workers × {g['threads']} threads ({g['worker_class']}) for "
        f"hello world, the template ceiling and the wizard alike; the wizard with {data['services']:,} directory "
        f"services published. The ceiling renders a static copy of the results page ({data['ceiling_page_bytes']:,} "
        f"bytes uncompressed; the real one {data['results_page_bytes']:,} bytes, {data['services_shown']} services "
        f"shown) with one variable. wrk, {data['connections']} connections, closed loop, "
        f"`Accept-Encoding: {data['accept_encoding']}`; {data['warmup_s']} s warm-up, then {data['rounds']} rounds "
        f"of {data['duration_s']} s per URL in turn. CPU per request: user and system time of the gunicorn master "
        "and workers (/proc) over the requests answered; the median of the rounds, and the ratio the median of the "
        "ratios within a round. Requests per second and latencies are information only. All three servers "
        f"with glibc's malloc thresholds fixed ({', '.join(f'{k}={v}' for k, v in data['allocator'].items())}), "
        "so that none hands memory back and faults it in again on every response; the page faults per request "
        "are shown.",
        "",
        "| page | CPU ms/request | × ceiling | ms by round | req/s | p50 ms | p99 ms | KB uncompressed "
        "| KB sent (with headers) | page faults per request | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, p in data["pages"].items():
        lines.append(
            f"| {name} `{p['path']}` | {p['cpu_ms']:.2f} | {p['x_ceiling']:.2f} | "
            f"{' / '.join(f'{x:.2f}' for x in p['cpu_ms_rounds'])} | {p['rps']:.0f} | {p['p50_ms']:.1f} | "
            f"{p['p99_ms']:.1f} | {p['bytes'] / 1024:.1f} | {p['kb_per_response']:.1f} | "
            f"{p['faults_per_request']:.1f} | {p['errors']} |"
        )
    return lines


if __name__ == "__main__":
    standalone.main(sys.modules[__name__], "cpu")
