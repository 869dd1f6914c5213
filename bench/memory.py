"""Memory per worker of the production server with directory.SERVICES services published.

The wizard under gunicorn as production runs it (bench/server.py, the project's
gunicorn.conf.py: several workers, no preloading), serving a database with the
generated directory published (bench/directory.py), as a deployment has its
directory. Each worker loads its own index of the directory (and the towns
gazetteer) when it starts; the figures are taken after every worker has also
served at least MIN_PAGES results pages (bench/warm.py), for the FULL answers (bench/journey.py), which show
services from that directory.

Per process, from /proc: RSS (resident: what `top` shows, shared pages counted in
full in every process) and, where the kernel has smaps_rollup, PSS (each shared
page divided among the processes sharing it: what the workers add up to) and USS
(pages of this process alone). The target is on the largest worker's RSS.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import requests

from . import directory, journey, processes, server, standalone, warm

TARGET_MB = 150.0
MIN_PAGES = 5
RESULTS_ROUTE = "/results"


def _mb(kb: int | None) -> float | None:
    return None if kb is None else kb / 1024


def _snapshot(running: server.Server) -> dict[int, dict]:
    """Memory of every process of the server, by pid: the master's and its workers'."""
    master = running.process.pid
    found = {}
    for pid, parent in processes.group(master).items():
        if pid == master or parent == master:
            memory = processes.memory_kb(pid)
            found[pid] = {
                "role": "master" if pid == master else "worker",
                **{key.replace("_kb", "_mb"): _mb(value) for key, value in memory.items()},
            }
    return found


def run(log=print) -> dict:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-memory-") as folder:
        log(f"  publishing {directory.SERVICES:,} generated services ...")
        database, imported = directory.published_database(Path(folder), lambda line: log(f"  {line.strip()}"))
        with server.running("wsgi:app", ready_path="/reach-out", database=database) as wizard:
            started = _snapshot(wizard)
            workers = [pid for pid, p in started.items() if p["role"] == "worker"]
            cookie = {"Cookie": journey.results_cookie(wizard.base)}
            page = requests.get(
                wizard.base + "/results", headers={**server.FORWARDED, **cookie}, timeout=journey.TIMEOUT_S
            )
            shown = page.text.count('class="service"')
            if shown == 0:
                raise RuntimeError("the results page shows no service: the directory is not being served")
            served = warm.every_worker(wizard, "/results", RESULTS_ROUTE, cookie, MIN_PAGES)
            after = _snapshot(wizard)
    worker_rows = [
        {"pid": pid, "results_pages": served[pid], "at_start": started[pid], "after": after[pid]}
        for pid in workers
        if pid in after
    ]
    master = next(p for p in after.values() if p["role"] == "master")
    largest = max(row["after"]["rss_mb"] for row in worker_rows)
    log(f"   {len(worker_rows)} workers: largest RSS {largest:.0f} MB with {imported['services']:,} services")
    pss = [row["after"]["pss_mb"] for row in worker_rows if row["after"]["pss_mb"] is not None]
    return {
        "services": imported["services"],
        "services_shown": shown,
        "gunicorn": server.settings(),
        "min_results_pages": MIN_PAGES,
        "workers": worker_rows,
        "master": master,
        "largest_rss_mb": largest,
        "largest_pss_mb": max(pss) if pss else None,
        "total_pss_mb": sum(pss) + (master["pss_mb"] or 0) if pss else None,
    }


def targets(data: dict) -> list[list[str]]:
    largest = data["largest_rss_mb"]
    pss = data["largest_pss_mb"]
    return [
        [
            f"memory per worker < {TARGET_MB:.0f} MB with {data['services']:,} directory services",
            f"{largest:.0f} MB RSS, largest worker" + (f" ({pss:.0f} MB PSS)" if pss is not None else ""),
            "PASS" if largest < TARGET_MB else "MISS",
        ]
    ]


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def report(data: dict) -> list[str]:
    g = data["gunicorn"]
    lines = [
        f"gunicorn from {g['source']}: {g['workers']} workers × {g['threads']} threads ({g['worker_class']}), "
        f"no preloading; {data['services']:,} directory services published, {data['services_shown']} shown on "
        f"the results page. Memory in MB, from /proc, at start (booted, no results page yet) and after each "
        f"worker served at least {data['min_results_pages']} results pages. RSS counts shared pages in every "
        "process; PSS divides them among the sharers (the workers' PSS adds up to what they cost together); "
        "USS is the pages of one process alone.",
        "",
        "| process | results pages | RSS at start | RSS after | PSS after | USS after |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in data["workers"]:
        start, after = row["at_start"], row["after"]
        lines.append(
            f"| worker {row['pid']} | {row['results_pages']} | {_cell(start['rss_mb'])} | {_cell(after['rss_mb'])} "
            f"| {_cell(after['pss_mb'])} | {_cell(after['uss_mb'])} |"
        )
    m = data["master"]
    lines.append(f"| master | – | – | {_cell(m['rss_mb'])} | {_cell(m['pss_mb'])} | {_cell(m['uss_mb'])} |")
    if data["total_pss_mb"] is not None:
        lines += ["", f"All processes together (PSS): {data['total_pss_mb']:.0f} MB."]
    return lines


if __name__ == "__main__":
    standalone.main(sys.modules[__name__], "memory")
