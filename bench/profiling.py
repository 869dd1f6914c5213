"""Where a request's time goes: CPU time per page, and a pyinstrument profile of the results page.

Through the Flask test client (no server, no network; the app in production
mode, bench/in_process.py), for a visitor who has answered every question:
CPU milliseconds per request for the start page, a question page and the
results page (median of several batches, process CPU time so other programs
on the machine matter less), each also as a ratio to the calibration workload.
Then pyinstrument samples PROFILE_REQUESTS requests of the results page; the
report is kept as HTML and text in bench/results/, and the sampled time is
split into a few parts (each sample goes to the innermost part its stack
passes through).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from pyinstrument import Profiler

from tests.support.answers import FULL
from tests.support.journey import walk
from tests.support.pages import Browser

from .in_process import over_https, production_app

ACCEPT_ENCODING = "gzip, deflate, br"
PAGES = (("start", "/"), ("question", "/questions/faith"), ("results", "/results"))
BATCHES = 7
BATCH = 40
PROFILE_REQUESTS = 300
INTERVAL_S = 0.0005

# (part, test on a frame's file path and function). The innermost match wins.
PARTS = (
    ("templates (Jinja)", lambda path, fn: path.endswith("flask/templating.py") and fn == "render_template"),
    (
        "translating text (_() and the t filter)",
        lambda path, fn: (
            path.endswith(("wizard/platform/i18n.py", "gettext.py", "jinja2/ext.py"))
            or "/flask_babel/" in path
            or "/babel/" in path
        ),
    ),
    ("rules matching and the path", lambda path, fn: "/wizard/domain/" in path),
    ("answers check", lambda path, fn: path.endswith("wizard/public/answers.py") and fn == "load_walk"),
    ("compression", lambda path, fn: "/flask_compress/" in path),
    ("session cookie", lambda path, fn: fn in ("open_session", "save_session")),
    ("CSRF token", lambda path, fn: "/flask_wtf/" in path),
    # Only the writing of the line: the middleware's __call__ wraps the whole request.
    ("request logging", lambda path, fn: path.endswith("wizard/platform/logging_setup.py") and fn != "__call__"),
)
OTHER = "Flask, Werkzeug, headers, the rest"


def _cpu_ms_per_request(client, path: str) -> float:
    for _ in range(5):
        client.get(path)
    samples = []
    for _ in range(BATCHES):
        start = time.process_time()
        for _ in range(BATCH):
            response = client.get(path)
        samples.append((time.process_time() - start) * 1000 / BATCH)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: status {response.status_code}")
    return statistics.median(samples)


def _parts(root) -> dict[str, float]:
    totals: dict[str, float] = {}

    def visit(frame, part: str) -> None:
        path = (frame.file_path or "").replace("\\", "/")
        function = frame.function or ""
        part = next((name for name, test in PARTS if test(path, function)), part)
        children = frame.children
        own = frame.time - sum(child.time for child in children)
        totals[part] = totals.get(part, 0.0) + max(own, 0.0)
        for child in children:
            visit(child, part)

    visit(root, OTHER)
    whole = sum(totals.values()) or 1.0
    return {name: totals[name] / whole for name in sorted(totals, key=lambda n: -totals[n])}


def run(out_dir: Path, calibration_ms: float, log=print) -> dict:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as folder:
        client = over_https(production_app(Path(folder)).test_client())
        walk(Browser(client), FULL)
        client.environ_base["HTTP_ACCEPT_ENCODING"] = ACCEPT_ENCODING
        log("  CPU time per page ...")
        pages = {}
        for name, path in PAGES:
            ms = _cpu_ms_per_request(client, path)
            pages[name] = {"path": path, "cpu_ms": ms, "x_calibration": ms / calibration_ms}
        log(f"  pyinstrument, {PROFILE_REQUESTS} requests of the results page ...")
        profiler = Profiler(interval=INTERVAL_S)
        profiler.start()
        for _ in range(PROFILE_REQUESTS):
            client.get("/results")
        profiler.stop()
    (out_dir / "profile-results.html").write_text(profiler.output_html())
    text = profiler.output_text(unicode=False, color=False)
    (out_dir / "profile-results.txt").write_text(text)
    root = profiler.last_session.root_frame()
    return {
        "pages": pages,
        "profile_requests": PROFILE_REQUESTS,
        "results_parts": _parts(root) if root is not None else {},
        "accept_encoding": ACCEPT_ENCODING,
    }
