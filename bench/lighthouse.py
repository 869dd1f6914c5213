"""Lighthouse (npm `lighthouse`, run by node) on the start, a question and the results page.

Debian's Chromium, headless, with mobile emulation and simulated throttling
(Lighthouse's defaults), against a live gunicorn server on 127.0.0.1 in
production mode (bench/server.py), every request marked as come through the
TLS proxy. The question and results pages get the cookie of a visitor who has
answered every question (`--extra-headers`). Each report is kept as JSON in
bench/results/; for every score below 100 the audits that cost points are listed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from . import journey, server

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLI = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
# As in the browser tests, plus what headless Chromium needs as root.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CATEGORIES = ("performance", "accessibility", "best-practices")
PAGES = (
    ("start", "/", False),
    ("question", "/questions/faith", True),
    ("results", "/results", True),
)
RUN_TIMEOUT_S = 180
ATTEMPTS = 3


def _lost_points(report: dict, category: str) -> list[dict]:
    """The audits of a category that scored below 1, weightiest first."""
    audits = report["audits"]
    lost = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        score = audit.get("score")
        if ref.get("weight", 0) > 0 and score is not None and score < 1:
            lost.append({"id": ref["id"], "title": audit.get("title", ""), "score": score, "weight": ref["weight"]})
    return sorted(lost, key=lambda a: -a["weight"])


def _network(report: dict, base: str) -> dict:
    items = report["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    local = [i for i in items if i.get("url", "").startswith(base)]
    return {
        "requests": len(items),
        "third_party": len(items) - len(local),
        "transfer_bytes": sum(int(i.get("transferSize") or 0) for i in items),
    }


def lighthouse(url: str, out: Path, cookie: str | None) -> dict:
    argv = [
        shutil.which("node") or "node",
        str(CLI),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    # Every request the browser makes, assets too, arrives as if through the TLS proxy.
    headers = {**server.FORWARDED, **({"Cookie": cookie} if cookie else {})}
    argv.append("--extra-headers=" + json.dumps(headers))
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    problem = ""
    # On a busy machine Lighthouse sometimes loses the trace (NO_NAVSTART, NO_FCP): it says to run it again.
    for _attempt in range(ATTEMPTS):
        out.unlink(missing_ok=True)
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
        if done.returncode == 0 and out.exists():
            return json.loads(out.read_text())
        problem = f"({done.returncode}): {done.stderr.strip()[-2000:]}"
    raise RuntimeError(f"lighthouse failed on {url} {ATTEMPTS} times {problem}")


def run(out_dir: Path, log=print) -> dict:
    if not CLI.exists():
        raise RuntimeError("lighthouse is not installed: run `make bench` (npm ci)")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make bench` (installs Debian's chromium)")
    pages = {}
    with server.running("wsgi:app", ready_path="/reach-out") as wizard:
        cookie = journey.results_cookie(wizard.base)
        for name, path, needs_cookie in PAGES:
            log(f"  {name} page ({path}) ...")
            report = lighthouse(
                wizard.base + path, out_dir / f"lighthouse-{name}.json", cookie if needs_cookie else None
            )
            final = report.get("finalDisplayedUrl") or report.get("finalUrl") or ""
            if not final.endswith(path):
                raise RuntimeError(f"lighthouse ended on {final}, not on {path}")
            scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
            pages[name] = {
                "path": path,
                "scores": scores,
                "lost": {c: _lost_points(report, c) for c in CATEGORIES if scores[c] < 100},
                "network": _network(report, wizard.base),
                "metrics": {
                    key: report["audits"].get(audit, {}).get("numericValue")
                    for key, audit in (("fcp_ms", "first-contentful-paint"), ("lcp_ms", "largest-contentful-paint"))
                },
                "lighthouse": report.get("lighthouseVersion"),
                "warnings": report.get("runWarnings", []),
            }
    return {"form_factor": "mobile", "categories": list(CATEGORIES), "pages": pages}
