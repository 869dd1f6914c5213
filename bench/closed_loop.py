"""wrk against one URL, closed loop: each connection sends its next request as soon as the last is answered.

Used by the CPU benchmark (bench/cpu.py). bench/wrk/report.lua makes wrk print
the run's figures as one JSON line (percentiles included) and count answers that
are not 200, which wrk alone would let pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from . import server

LUA = Path(__file__).resolve().parent / "wrk" / "report.lua"
CONNECTIONS = 50
THREADS = 1
TIMEOUT = "5s"
# What a browser sends, over https to the proxy (server.FORWARDED says so to the server).
ACCEPT_ENCODING = "gzip, deflate, br"


def wrk(url: str, duration_s: int, headers: dict[str, str], *, connections: int = CONNECTIONS) -> dict:
    """One wrk run: requests, req/s, latency percentiles in ms, errors and KB per response."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: run `make bench`, which installs it")
    argv = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{duration_s}s", "--timeout", TIMEOUT, "-s", str(LUA)]
    for name, value in {"Accept-Encoding": ACCEPT_ENCODING, **server.FORWARDED, **headers}.items():
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
