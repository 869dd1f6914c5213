"""The service directory at scale: importing 50,000 generated services, and what matching them
costs a results page.

1. import: generate 50,000 fictional services (bench/directory_data.py), then read and check
   them (HSDS tabular) and publish them in one transaction, timed end to end. Target: < 60 s.
2. matching: CPU time (process time) of the results page for a person in the country with the
   most services, with the 50,000 loaded, against the same page with an empty directory, in
   the same process and run: once with the country alone, once with a town (and its region
   where the gazetteer knows it). Target: the directory adds < 1 ms of CPU per page.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from wizard.domain.directory.hsds import read_tabular
from wizard.domain.places import find_towns
from wizard.platform.services import services

from .directory_data import generate, towns
from .in_process import over_https, production_app
from .journey import answers

SERVICES = 50_000
IMPORT_TARGET_S = 60.0
ADDED_CPU_TARGET_MS = 1.0
ROUNDS = 200


def _import(app, folder: Path, log) -> dict:
    began = time.perf_counter()
    generate(SERVICES, 1, folder)
    generated = time.perf_counter() - began
    with app.app_context():
        directory = services().directory
        started = time.perf_counter()
        reading = read_tabular(folder, directory.taxonomy)
        if reading.problems:
            raise RuntimeError(f"the generated directory has problems: {reading.problems[0]}")
        read = time.perf_counter() - started
        directory.store.publish(reading.listings, publisher=None, source="bench", by="bench")
        total = time.perf_counter() - started
        index_started = time.perf_counter()
        index = directory.store.index()
        index_s = time.perf_counter() - index_started
    countries = Counter(listing.country for listing in reading.listings)
    log(f"   imported {len(reading.listings)} services in {total:.1f} s (read {read:.1f} s); index {index_s:.1f} s")
    return {
        "services": len(reading.listings),
        "generate_s": generated,
        "read_s": read,
        "import_s": total,
        "index_s": index_s,
        "index_size": index.size,
        "busiest_country": countries.most_common(1)[0][0],
    }


def published_database(folder: Path, log) -> tuple[Path, dict]:
    """A migrated SQLite database in `folder` with SERVICES generated services published, for a
    production server to serve from (bench/server.py, `running(database=...)`); and the import's
    figures."""
    imported = _import(production_app(folder), folder / "files", log)
    return folder / "bench.sqlite3", imported


def _cpu_per_page(client, rounds: int) -> float:
    """Median process time of a results page, in ms (one warm-up round first)."""
    client.get("/results")
    samples = []
    for _ in range(rounds):
        began = time.process_time()
        response = client.get("/results")
        samples.append((time.process_time() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"results page answered {response.status_code}")
    return statistics.median(samples)


def _answered_client(app, country: str, **place):
    client = over_https(app.test_client())
    with client.session_transaction() as session:
        session["answers"] = {**answers(), "country": country, **place}
    return client


def _a_town(country: str) -> dict:
    """The first generated sites' town of the country, as the person's town (and region, if known)."""
    name = towns()[country][0][0]
    town = find_towns(country, name)[0]
    return {"town": town.id, "subdivision": town.subdivision or ""}


def run(log) -> dict:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-directory-") as tmp:
        folder = Path(tmp)
        empty_app = production_app(folder / "empty")
        full_app = production_app(folder / "full")
        imported = _import(full_app, folder / "files", log)
        country = imported["busiest_country"]
        place = _a_town(country)
        clients = {
            "country": (_answered_client(full_app, country), _answered_client(empty_app, country)),
            "town": (_answered_client(full_app, country, **place), _answered_client(empty_app, country, **place)),
        }
        shown = {
            name: full.get("/results").get_data(as_text=True).count('class="service"')
            for name, (full, _empty) in clients.items()
        }
        # Interleaved, so both pages see the same machine.
        samples: dict[str, list[float]] = {f"{name}-{side}": [] for name in clients for side in ("with", "without")}
        for _ in range(5):
            for name, (full, empty) in clients.items():
                samples[f"{name}-with"].append(_cpu_per_page(full, ROUNDS // 5))
                samples[f"{name}-without"].append(_cpu_per_page(empty, ROUNDS // 5))
        medians = {key: statistics.median(values) for key, values in samples.items()}
    page_ms, baseline_ms = medians["country-with"], medians["country-without"]
    town_ms, town_baseline_ms = medians["town-with"], medians["town-without"]
    added = page_ms - baseline_ms
    log(
        f"   results page {page_ms:.2f} ms CPU with {SERVICES} services, {baseline_ms:.2f} ms without "
        f"({shown['country']} shown)"
    )
    log(f"   with a town: {town_ms:.2f} ms CPU, {town_baseline_ms:.2f} ms without ({shown['town']} shown)")
    return {
        "import": imported,
        "matching": {
            "country": country,
            "services_shown": shown["country"],
            "page_cpu_ms": page_ms,
            "baseline_cpu_ms": baseline_ms,
            "added_cpu_ms": added,
            "ratio": page_ms / baseline_ms if baseline_ms else None,
            "town": {
                "place": place,
                "services_shown": shown["town"],
                "page_cpu_ms": town_ms,
                "baseline_cpu_ms": town_baseline_ms,
                "added_cpu_ms": town_ms - town_baseline_ms,
                "ratio": town_ms / town_baseline_ms if town_baseline_ms else None,
            },
        },
    }
