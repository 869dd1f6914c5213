"""Throughput and latency of three pages under gunicorn, against a hello-world ceiling.

wrk (one thread, 50 connections kept open, each sending its next request as
soon as the last one is answered) hits one URL at a time: first the hello-world
app, then the wizard's start page, a question page and the results page, each
after a short warm-up, all under the same gunicorn settings. The question and
results pages get the cookie of a visitor who has answered every question.

The machine has 2 cores and wrk runs on them too: nothing is pinned, so wrk
takes a share of the CPU in every run alike. With a fixed number of
connections, latency follows from throughput (mean latency = connections /
requests per second), so the p99 target at 50 connections is in effect a
throughput target of about 1,000 requests per second or more.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from . import journey, server

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk" / "report.lua"
CONNECTIONS = 50
THREADS = 1
WARMUP_S = 3
DURATION_S = 15
TIMEOUT = "5s"
# What a browser sends (over https; plain http gets the same answers here).
ACCEPT_ENCODING = "gzip, deflate, br"
PAGES = (
    ("start", "/", False),
    ("question", "/questions/faith", True),
    ("results", "/results", True),
)
TARGET_RATIO = 0.60
TARGET_P99_MS = 50.0


def wrk(url: str, duration_s: int, headers: dict[str, str]) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: run `make bench`, which installs it")
    argv = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration_s}s", "--timeout", TIMEOUT, "-s", str(LUA)]
    for name, value in {"Accept-Encoding": ACCEPT_ENCODING, **headers}.items():
        argv += ["-H", f"{name}: {value}"]
    done = subprocess.run([*argv, url], capture_output=True, text=True, timeout=duration_s + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH-JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(line.removeprefix("BENCH-JSON "))
    errors = sum(raw[key] for key in ("connect", "read", "write", "status", "timeout"))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "mean_ms": raw["mean_us"] / 1000,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
        "not_200": raw["not_200"],
        "kb_per_response": raw["bytes"] / max(raw["requests"], 1) / 1024,
    }


def measure(url: str, headers: dict[str, str] | None = None) -> dict:
    headers = headers or {}
    wrk(url, WARMUP_S, headers)
    return wrk(url, DURATION_S, headers)


def run(log=print) -> dict:
    runs: dict[str, dict] = {}
    log("  hello world ...")
    with server.running("bench.hello:app") as hello:
        runs["hello"] = {"path": "/", **measure(hello.base + "/")}
    with server.running("wsgi:app", ready_path="/reach-out") as wizard:
        cookie = journey.results_cookie(wizard.base)
        for name, path, needs_cookie in PAGES:
            log(f"  {name} page ({path}) ...")
            headers = {"Cookie": cookie} if needs_cookie else {}
            runs[name] = {"path": path, **measure(wizard.base + path, headers)}
    hello_rps = runs["hello"]["rps"]
    for values in runs.values():
        values["x_hello"] = values["rps"] / hello_rps
    return {
        "connections": CONNECTIONS,
        "wrk_threads": THREADS,
        "warmup_s": WARMUP_S,
        "duration_s": DURATION_S,
        "accept_encoding": ACCEPT_ENCODING,
        "gunicorn": server.settings(),
        "runs": runs,
    }
