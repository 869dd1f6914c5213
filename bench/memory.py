"""Memory per worker of the production server with directory.SERVICES services published.

The wizard under gunicorn as production runs it (bench/server.py, the project's
gunicorn.conf.py: several workers, no preloading), serving a database with the
generated directory published (bench/directory.py), as a deployment has its
directory. Each worker loads its own index of the directory (and the towns
gazetteer) when it starts; the figures are taken after every worker has also
served at least MIN_PAGES results pages (bench/warm.py), for the FULL answers (bench/journey.py), which show
services from that directory.

"At start" is read once every worker has loaded (its memory has stopped growing: the app imported,
the directory's index and the gazetteer read), not as soon as the first one answers. A worker
that has been up a while has also kept the fragments (wizard/platform/fragments.py) of many
visitors' different answers, so a last reading, "after many visitors", follows results pages for
VISITORS different answer sets (bench/answer_sets.py) in each of LANGUAGES, spread over the
workers; the target is on the larger of the two readings after pages.

Per process, from /proc: RSS (resident: what `top` shows, shared pages counted in
full in every process) and, where the kernel has smaps_rollup, PSS (each shared
page divided among the processes sharing it: what the workers add up to) and USS
(pages of this process alone). The target is on the largest worker's RSS.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from . import answer_sets, directory, journey, processes, server, standalone, warm

TARGET_MB = 150.0
MIN_PAGES = 5
RESULTS_ROUTE = "/results"
# Loaded: every worker's RSS within STABLE_KB of its last reading, STABLE_READINGS times in a row.
STABLE_KB = 128
STABLE_READINGS = 4
POLL_S = 0.5
LOADED_PAGE = "/accessibility"
LOAD_TIMEOUT_S = 180
# Many visitors: this many different answer sets, each in these languages, on the one-page form
# (every question on one form, so one request is one visitor's results page).
VISITORS = 300
LANGUAGES = ("en", "pt-PT", "es", "fr")
ONE_PAGE = "/all-questions"
SENDERS = 8
# On every results page, in every language (the form shown again with a problem has no such section).
RESULTS_SECTION = 'id="about-results"'
ONE_PAGE_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


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


def _loaded(running: server.Server, workers: int, log) -> dict[int, dict]:
    """The snapshot once all `workers` workers are up and none of them is still growing."""
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    last: dict[int, int] = {}
    steady: dict[int, int] = {}
    while time.monotonic() < deadline:
        pids = warm.workers(running)
        now = {pid: processes.memory_kb(pid)["rss_kb"] for pid in pids}
        for pid, rss in now.items():
            steady[pid] = steady.get(pid, 0) + 1 if pid in last and abs(rss - last[pid]) <= STABLE_KB else 0
        last = now
        if len(pids) >= workers and all(steady.get(pid, 0) >= STABLE_READINGS for pid in pids):
            return _snapshot(running)
        time.sleep(POLL_S)
    log(f"   workers still growing after {LOAD_TIMEOUT_S} s: reading them as they are")
    return _snapshot(running)


def _form_fields(answers: dict) -> list[tuple[str, str]]:
    fields = []
    for question, value in answers.items():
        if question == "town" and value not in ("", "prefer_not_to_say"):
            value = "#" + value  # as a town picked from the field's suggestions
        for one in value if isinstance(value, list) else [value]:
            fields.append((question, one))
    return fields


def _many_visitors(running: server.Server, log) -> dict:
    """Results pages for VISITORS different answer sets in each of LANGUAGES, each over a new
    connection so that the kernel spreads them over the workers; how many each worker answered."""
    sets = answer_sets.pool(VISITORS)
    form = requests.get(running.base + ONE_PAGE, headers=server.FORWARDED, timeout=journey.TIMEOUT_S)
    token = ONE_PAGE_TOKEN.search(form.text)
    if token is None:
        raise RuntimeError(f"the one-page form has no token (status {form.status_code})")

    def visit(job: tuple[dict, str]) -> bool:
        answers, lang = job
        page = requests.post(
            f"{running.base}{ONE_PAGE}?lang={lang}",
            data=[("csrf_token", token.group(1)), *_form_fields(answers)],
            headers={**server.FORWARDED, "Connection": "close"},
            timeout=journey.TIMEOUT_S,
        )
        return page.status_code == 200 and RESULTS_SECTION in page.text

    jobs = [(answers, lang) for answers in sets for lang in LANGUAGES]
    with ThreadPoolExecutor(SENDERS) as senders:
        shown = sum(senders.map(visit, jobs))
    time.sleep(warm.LOG_SETTLE_S)
    if shown < len(jobs) // 2:
        raise RuntimeError(f"only {shown} of {len(jobs)} one-page answers showed results")
    log(f"   {shown} of {len(jobs)} visitors' results pages ({len(sets)} answer sets, {len(LANGUAGES)} languages)")
    return {
        "answer_sets": answer_sets.describe(sets),
        "languages": list(LANGUAGES),
        "pages": len(jobs),
        "results_shown": shown,
        "by_worker": warm.answered_by_pid(running.log_path, ONE_PAGE),
    }


def run(log=print) -> dict:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-memory-") as folder:
        log(f"  publishing {directory.SERVICES:,} generated services ...")
        database, imported = directory.published_database(Path(folder), lambda line: log(f"  {line.strip()}"))
        with server.running("wsgi:app", ready_path="/reach-out", database=database) as wizard:
            # Every worker has loaded once it answers (gunicorn hands it requests only after its
            # post_worker_init): a plain page (the health checks are not in the log at INFO).
            warm.every_worker(wizard, LOADED_PAGE, LOADED_PAGE, server.FORWARDED, 1)
            started = _loaded(wizard, server.settings()["workers"], log)
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
            visitors = _many_visitors(wizard, log)
            later = _snapshot(wizard)
    worker_rows = [
        {
            "pid": pid,
            "results_pages": served[pid],
            "visitor_pages": visitors["by_worker"].get(pid, 0),
            "at_start": started[pid],
            "after": after[pid],
            "after_visitors": later[pid],
        }
        for pid in workers
        if pid in after and pid in later
    ]
    master = next(p for p in later.values() if p["role"] == "master")
    largest_first = max(row["after"]["rss_mb"] for row in worker_rows)
    largest = max(largest_first, *(row["after_visitors"]["rss_mb"] for row in worker_rows))
    log(
        f"   {len(worker_rows)} workers: largest RSS {largest_first:.0f} MB after results pages, "
        f"{largest:.0f} MB after many visitors, with {imported['services']:,} services"
    )
    pss = [row["after_visitors"]["pss_mb"] for row in worker_rows if row["after_visitors"]["pss_mb"] is not None]
    return {
        "services": imported["services"],
        "services_shown": shown,
        "gunicorn": server.settings(),
        "min_results_pages": MIN_PAGES,
        "visitors": {key: value for key, value in visitors.items() if key != "by_worker"},
        "workers": worker_rows,
        "master": master,
        "largest_rss_mb": largest,
        "largest_rss_after_results_mb": largest_first,
        "largest_pss_mb": max(pss) if pss else None,
        "total_pss_mb": sum(pss) + (master["pss_mb"] or 0) if pss else None,
    }


def targets(data: dict) -> list[list[str]]:
    largest = data["largest_rss_mb"]
    pss = data["largest_pss_mb"]
    return [
        [
            f"memory per worker < {TARGET_MB:.0f} MB with {data['services']:,} directory services",
            f"{largest:.0f} MB RSS, largest worker after many visitors"
            + (f" ({pss:.0f} MB PSS)" if pss is not None else ""),
            "PASS" if largest < TARGET_MB else "MISS",
        ]
    ]


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def report(data: dict) -> list[str]:
    g, v = data["gunicorn"], data["visitors"]
    lines = [
        f"gunicorn from {g['source']}: {g['workers']} workers × {g['threads']} threads ({g['worker_class']}), "
        f"no preloading; {data['services']:,} directory services published, {data['services_shown']} shown on "
        f"the results page. Memory in MB, from /proc, at start (every worker loaded: its memory no longer "
        f"growing, no results page yet), after each worker served at least {data['min_results_pages']} results "
        f"pages, and after many visitors: {v['results_shown']} results pages for {v['answer_sets']['distinct']} "
        f"different answer sets in {len(v['languages'])} languages ({', '.join(v['languages'])}), spread over "
        "the workers. RSS counts shared pages in every "
        "process; PSS divides them among the sharers (the workers' PSS adds up to what they cost together); "
        "USS is the pages of one process alone.",
        "",
        "| process | results pages | RSS at start | RSS after | visitors' pages | RSS after many visitors "
        "| PSS then | USS then |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in data["workers"]:
        start, after, later = row["at_start"], row["after"], row["after_visitors"]
        lines.append(
            f"| worker {row['pid']} | {row['results_pages']} | {_cell(start['rss_mb'])} | {_cell(after['rss_mb'])} "
            f"| {row['visitor_pages']} | {_cell(later['rss_mb'])} | {_cell(later['pss_mb'])} "
            f"| {_cell(later['uss_mb'])} |"
        )
    m = data["master"]
    lines.append(f"| master | – | – | – | – | {_cell(m['rss_mb'])} | {_cell(m['pss_mb'])} | {_cell(m['uss_mb'])} |")
    if data["total_pss_mb"] is not None:
        lines += ["", f"All processes together (PSS): {data['total_pss_mb']:.0f} MB."]
    return lines


if __name__ == "__main__":
    standalone.main(sys.modules[__name__], "memory")
