"""The load run: 200 locust users walking whole journeys for 60 seconds, on loopback only.

locust runs headless in bench's own virtualenv (bench/.venv, made by
bench/ensure-tools.sh) against a gunicorn server on 127.0.0.1, and stops
itself after RUN_TIME_S, ending the journeys under way (their unfinished
requests are not counted); the subprocess has a hard time limit as well.
Every request is counted on its own (redirects are followed by hand), and the
numbers come from locust's CSV statistics (its percentiles are rounded to two
significant digits).
"""

from __future__ import annotations

import csv
import json
import subprocess
import tempfile
from pathlib import Path

from . import journey, server

HERE = Path(__file__).resolve().parent
LOCUST = HERE / ".venv" / "bin" / "locust"
LOCUSTFILE = HERE / "locustfile.py"
USERS = 200
SPAWN_RATE = 100  # users started per second: all 200 are walking after 2 s
RUN_TIME_S = 60
PERCENTILES = ("50%", "95%", "99%", "100%")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _read_stats(path: Path) -> tuple[dict, list[dict]]:
    aggregated, rows = {}, []
    with path.open(newline="") as source:
        for row in csv.DictReader(source):
            entry = {
                "name": row["Name"],
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": _number(row["Requests/s"]),
                "mean_ms": _number(row["Average Response Time"]),
                **{f"p{p.rstrip('%')}_ms": _number(row[p]) for p in PERCENTILES},
            }
            if row["Name"] == "Aggregated":
                aggregated = entry
            else:
                rows.append(entry)
    return aggregated, rows


def _count_rows(path: Path, column: str) -> int:
    if not path.exists():
        return 0
    with path.open(newline="") as source:
        return sum(int(row.get(column) or 0) for row in csv.DictReader(source))


def run(log=print) -> dict:
    if not LOCUST.exists():
        raise RuntimeError("locust is not installed in bench/.venv: run `make bench`, which installs it")
    with server.running("wsgi:app", ready_path="/reach-out") as wizard, tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "load"
        argv = [
            str(LOCUST),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(SPAWN_RATE),
            "--run-time",
            f"{RUN_TIME_S}s",
            "--host",
            wizard.base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        env = {"BENCH_ANSWERS": json.dumps(journey.answers()), "PATH": "/usr/bin:/bin"}
        log(f"  {USERS} users for {RUN_TIME_S} s ...")
        done = subprocess.run(
            argv,
            cwd=HERE.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIME_S + 120,
            check=False,
        )
        stats_path = Path(f"{prefix}_stats.csv")
        if not stats_path.exists():
            raise RuntimeError(f"locust wrote no statistics ({done.returncode}):\n{done.stderr[-3000:]}")
        aggregated, rows = _read_stats(stats_path)
        errors = _count_rows(Path(f"{prefix}_exceptions.csv"), "Count")
        warnings = [line for line in done.stderr.splitlines() if "CPU usage" in line]
    journeys = next((row["requests"] for row in rows if row["name"] == "/reach-out"), 0)
    return {
        "users": USERS,
        "run_time_s": RUN_TIME_S,
        "spawn_rate": SPAWN_RATE,
        "total": aggregated,
        "by_request": rows,
        "journeys": journeys,
        "errors": errors,
        "locust_exit_code": done.returncode,
        "locust_cpu_warning": bool(warnings),
    }
