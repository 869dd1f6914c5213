"""Throughput and latency of three pages under gunicorn, against a hello-world ceiling.

wrk (one thread, 50 connections kept open, each sending its next request as
soon as the last one is answered) hits one URL at a time: the hello-world app,
then the wizard's start page, a question page and the results page, all under
the same gunicorn settings, both servers up side by side. The question and
results pages get the cookie of a visitor who has answered every question.

This shared machine's speed drifts by half or more within a minute, so the four
are measured in turn, ROUNDS times over (each URL warmed up once first): each
page's ratio to hello world is the median of its ratios within a round, and its
latencies the median of its rounds' (the maximum is the largest seen).

The machine has 2 cores and wrk runs on them too: nothing is pinned, so wrk
takes a share of the CPU in every run alike. With a fixed number of
connections, latency follows from throughput (mean latency = connections /
requests per second), so the p99 target at 50 connections is in effect a
throughput target of about 1,000 requests per second or more.
"""

from __future__ import annotations

import statistics

from . import journey, server
from .closed_loop import ACCEPT_ENCODING, CONNECTIONS, THREADS, wrk

WARMUP_S = 3
ROUNDS = 3
DURATION_S = 5
PAGES = (
    ("start", "/", False),
    ("question", "/questions/faith", True),
    ("results", "/results", True),
)
TARGET_RATIO = 0.60
TARGET_P99_MS = 50.0


def combine(rounds: list[dict], hello_rounds: list[dict]) -> dict:
    """One URL's rounds as one row: totals, medians, the largest maximum, the median ratio."""
    middle = statistics.median
    return {
        "requests": sum(r["requests"] for r in rounds),
        "rps": middle(r["rps"] for r in rounds),
        "rps_rounds": [round(r["rps"]) for r in rounds],
        "x_hello": middle(r["rps"] / h["rps"] for r, h in zip(rounds, hello_rounds, strict=True)),
        **{key: middle(r[key] for r in rounds) for key in ("mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms")},
        "max_ms": max(r["max_ms"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "not_200": sum(r["not_200"] for r in rounds),
        "kb_per_response": middle(r["kb_per_response"] for r in rounds),
    }


def run(log=print) -> dict:
    with server.running("bench.hello:app") as hello, server.running("wsgi:app", ready_path="/reach-out") as wizard:
        cookie = journey.results_cookie(wizard.base)
        targets = {"hello": (hello.base, "/", {})}
        for name, path, needs_cookie in PAGES:
            targets[name] = (wizard.base, path, {"Cookie": cookie} if needs_cookie else {})
        for base, path, headers in targets.values():
            wrk(base + path, WARMUP_S, headers)
        measured: dict[str, list[dict]] = {name: [] for name in targets}
        for number in range(1, ROUNDS + 1):
            log(f"  round {number} of {ROUNDS}: {', '.join(targets)} ...")
            for name, (base, path, headers) in targets.items():
                measured[name].append(wrk(base + path, DURATION_S, headers))
    runs = {name: {"path": targets[name][1], **combine(rounds, measured["hello"])} for name, rounds in measured.items()}
    return {
        "connections": CONNECTIONS,
        "wrk_threads": THREADS,
        "warmup_s": WARMUP_S,
        "rounds": ROUNDS,
        "duration_s": DURATION_S,
        "accept_encoding": ACCEPT_ENCODING,
        "gunicorn": server.settings(),
        "runs": runs,
    }
