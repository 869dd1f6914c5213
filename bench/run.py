"""`make bench`: every benchmark in turn, then a summary table in bench/results/summary.md.

1. the rules engine (and the calibration workload: this machine, this run)
2. CPU time per page and a pyinstrument profile of the results page (in process)
3. CPU per request under the production server, against a template ceiling and hello world
4. capacity: the highest open-loop arrival rate of whole journeys served well, and latency at half of it
5. memory per worker with 50,000 directory services loaded
6. page weight of every page
7. Lighthouse on the start, a question and the results page
8. the service directory: importing 50,000 services, and what matching them adds to a results page

Benchmarks report; they do not fail on a missed target. The summary says PASS
or MISS for each target, and this exits non-zero only when a benchmark itself
could not run (a tool missing, a server that did not start...).
`python -m bench.run --only cpu,capacity` runs some of them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from . import capacity, cpu, directory, lighthouse, memory, page_weight, profiling, rules_engine

OUT = Path(__file__).resolve().parent / "results"
SECTIONS = ("rules_engine", "profile", "cpu", "capacity", "memory", "page_weight", "lighthouse", "directory")
# Benchmarks that state their own targets and details (run, targets, report).
SELF_REPORTING = {"cpu": cpu, "capacity": capacity, "memory": memory}


def _log(message: str) -> None:
    print(message, flush=True)


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def _machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "wrk": _version(["wrk", "--version"]).split(" [")[0],
        "chromium": _version([lighthouse.CHROMIUM, "--version"]),
    }


def _run_rules_engine() -> dict:
    results = rules_engine.run()
    lines = rules_engine.report(results)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "rules_engine": results,
    }
    (OUT / "rules-engine.json").write_text(json.dumps(record, indent=2) + "\n")
    (OUT / "rules-engine.txt").write_text("\n".join(lines) + "\n")
    return {**results, "report": lines}


# --- the summary -----------------------------------------------------------------------------


def _status(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _targets(data: dict) -> list[list[str]]:
    rows: list[list[str]] = []
    for name, module in SELF_REPORTING.items():
        if name in data:
            rows += module.targets(data[name])
    if "page_weight" in data:
        weight = data["page_weight"]
        heaviest = weight["heaviest"]
        size = weight["pages"][heaviest]["total"]
        rows.append(
            [
                f"every page < 60 KB ({len(weight['pages'])} pages)",
                f"heaviest: {heaviest}, {_kb(size)}",
                _status(size < weight["budget_bytes"]),
            ]
        )
        third = weight["third_party_total"]
        if "lighthouse" in data:
            third += sum(p["network"]["third_party"] for p in data["lighthouse"]["pages"].values())
        rows.append(["zero third-party requests", str(third), _status(third == 0)])
    if "lighthouse" in data:
        for name, page in data["lighthouse"]["pages"].items():
            scores = page["scores"]
            rows.append(
                [
                    f"Lighthouse {name} page: 100 / 100 / 100",
                    " / ".join(str(scores[c]) for c in lighthouse.CATEGORIES),
                    _status(all(v == 100 for v in scores.values())),
                ]
            )
    if "directory" in data:
        imported, matching = data["directory"]["import"], data["directory"]["matching"]
        rows.append(
            [
                f"directory: import {imported['services']:,} services < {directory.IMPORT_TARGET_S:.0f} s",
                f"{imported['import_s']:.1f} s (read and check {imported['read_s']:.1f} s)",
                _status(imported["import_s"] < directory.IMPORT_TARGET_S),
            ]
        )
        rows.append(
            [
                f"directory: matching adds < {directory.ADDED_CPU_TARGET_MS:g} ms CPU to a results page",
                f"+{matching['added_cpu_ms']:.2f} ms ({matching['page_cpu_ms']:.2f} vs "
                f"{matching['baseline_cpu_ms']:.2f} ms, x{matching['ratio']:.3f})",
                _status(matching["added_cpu_ms"] < directory.ADDED_CPU_TARGET_MS),
            ]
        )
        town = matching["town"]
        rows.append(
            [
                f"directory: with a town, matching adds < {directory.ADDED_CPU_TARGET_MS:g} ms CPU",
                f"+{town['added_cpu_ms']:.2f} ms ({town['page_cpu_ms']:.2f} vs {town['baseline_cpu_ms']:.2f} ms, "
                f"{town['services_shown']} shown)",
                _status(town["added_cpu_ms"] < directory.ADDED_CPU_TARGET_MS),
            ]
        )
    if "rules_engine" in data:
        engine = data["rules_engine"]
        for key, target in rules_engine.TARGETS_MS.items():
            rows.append(
                [f"rules engine {key} ≤ {target:g} ms", f"{engine[key]:.3f} ms", _status(engine[key] <= target)]
            )
    return rows


def summary(data: dict, failures: dict[str, str], meta: dict) -> list[str]:
    machine = meta["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {meta['when']} on {machine['cores']} cores ({machine['cpu']}), Python {machine['python']}; "
        f"load average {meta['load_before']:.2f} when it started (anything else busy on the machine "
        "shows in the numbers: compare runs by their ratios). "
        f"Calibration workload: {meta['calibration_ms']:.3f} ms. Wall time {meta['wall_s']:.0f} s.",
        "",
        "## Targets",
        "",
        *_table(["target", "measured", "status"], _targets(data)),
    ]
    if failures:
        lines += ["", "## Benchmarks that did not run", ""]
        lines += [f"- **{name}**: {reason}" for name, reason in failures.items()]

    for name, module in SELF_REPORTING.items():
        if name in data:
            lines += ["", *module.report(data[name])]
    if "page_weight" in data:
        w = data["page_weight"]
        lines += [
            "",
            "## Page weight",
            "",
            f"Bytes as sent with `Accept-Encoding: {w['accept_encoding']}`, for a first visit (nothing cached).",
            "",
            *_table(
                ["page", "HTML", "CSS", "JS", "images", "total", "requests", "third-party"],
                [
                    [
                        name,
                        _kb(p["html"]),
                        _kb(p["css"]),
                        _kb(p["js"]),
                        _kb(p["images"]),
                        _kb(p["total"]),
                        str(p["requests"]),
                        str(p["third_party"]),
                    ]
                    for name, p in w["pages"].items()
                ],
            ),
        ]
    if "lighthouse" in data:
        lh = data["lighthouse"]
        version = next((p["lighthouse"] for p in lh["pages"].values()), "?")
        lines += [
            "",
            "## Lighthouse",
            "",
            f"Lighthouse {version}, {machine['chromium']} headless, mobile emulation with simulated throttling. "
            "Reports: bench/results/lighthouse-*.json.",
            "",
            *_table(
                [
                    "page",
                    "performance",
                    "accessibility",
                    "best practices",
                    "FCP / LCP (simulated)",
                    "requests",
                    "transferred",
                    "third-party",
                ],
                [
                    [
                        f"{name} `{p['path']}`",
                        *(str(p["scores"][c]) for c in lighthouse.CATEGORIES),
                        " / ".join(f"{(v or 0) / 1000:.1f} s" for v in p["metrics"].values()),
                        str(p["network"]["requests"]),
                        _kb(p["network"]["transfer_bytes"]),
                        str(p["network"]["third_party"]),
                    ]
                    for name, p in lh["pages"].items()
                ],
            ),
        ]
        for name, page in lh["pages"].items():
            for category, audits in page["lost"].items():
                titles = "; ".join(f"{a['title']} ({a['score']:.2f})" for a in audits[:5])
                lines.append(f"- {name}, {category}: {titles}")
    if "profile" in data:
        p = data["profile"]
        lines += [
            "",
            "## CPU time per request and profile (Flask test client)",
            "",
            *_table(
                ["page", "CPU ms per request", "× calibration"],
                [
                    [f"{name} `{v['path']}`", f"{v['cpu_ms']:.2f}", f"{v['x_calibration']:.2f}"]
                    for name, v in p["pages"].items()
                ],
            ),
            "",
            f"Where the results page's time goes (pyinstrument, {p['profile_requests']} requests; "
            "bench/results/profile-results.html):",
            "",
            *_table(["part", "share"], [[part, f"{share:.0%}"] for part, share in p["results_parts"].items()]),
        ]
    if "rules_engine" in data:
        lines += ["", "## Rules engine", "", "```", *data["rules_engine"]["report"], "```"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, from: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "load_before": os.getloadavg()[0],
    }
    data: dict = {}
    failures: dict[str, str] = {}
    calibration = rules_engine.calibration_ms()
    steps: dict[str, Callable[[], dict]] = {
        "rules_engine": _run_rules_engine,
        "profile": lambda: profiling.run(OUT, data.get("rules_engine", {}).get("calibration_ms", calibration), _log),
        "cpu": lambda: cpu.run(_log),
        "capacity": lambda: capacity.run(_log),
        "memory": lambda: memory.run(_log),
        "page_weight": lambda: page_weight.run(_log),
        "lighthouse": lambda: lighthouse.run(OUT, _log),
        "directory": lambda: directory.run(_log),
    }
    for name in SECTIONS:
        if name not in chosen:
            continue
        _log(f"== {name}")
        began = time.monotonic()
        try:
            data[name] = steps[name]()
        except Exception as exc:  # a benchmark that breaks is reported, and the others still run
            traceback.print_exc()
            failures[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            continue
        if name != "rules_engine":  # that one keeps its own files, rules-engine.json and .txt
            (OUT / f"{name.replace('_', '-')}.json").write_text(json.dumps(data[name], indent=2) + "\n")
        _log(f"   done in {time.monotonic() - began:.0f} s")

    meta.update(
        calibration_ms=data.get("rules_engine", {}).get("calibration_ms", calibration),
        wall_s=time.monotonic() - started,
    )
    lines = summary(data, failures, meta)
    (OUT / "summary.md").write_text("\n".join(lines) + "\n")
    (OUT / "bench.json").write_text(json.dumps({"meta": meta, **data, "failures": failures}, indent=2) + "\n")
    print()
    print("\n".join(lines))
    print("\nWritten to bench/results/summary.md")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
