"""Capacity: the highest steady arrival rate of whole journeys the production server serves well.

An open-loop load generator (asyncio, in this process) starts
journeys on a fixed schedule, RATE a second, whether or not the earlier ones
have been answered, as new visitors arrive whatever the server is doing.
Within a journey each request waits for the previous response, since it needs
its cookie and CSRF token: the start page, "Start" (/questions), every
question (GET the page, POST the answer, follow the 303 by hand so each
request is timed on its own), check your answers, results, reach out. No
call-back is ever sent.

Each visitor acts as a browser behind the TLS proxy, as bench/journey.py's does:
the proxy's header on every request, a same-origin
https Referer on POSTs, the Secure `__Host-` cookie returned over the loopback
http link, compressed responses asked for, the CSRF token read from each form.
Their answers come from bench/answer_sets.py: a pool of 2,000 different sets.
All journeys share one pool of keep-alive connections, as a proxy in front of
the server would, through bench/http_client.py.

The generator runs on the same cores as the server, so what it spends per
request is taken from the server: each visitor keeps its cookie by hand, the
headers of each page's requests and each answer set's form fields are made
once, and pages are searched as bytes, never decoded to text. Apart from its
User-Agent, which names the benchmark, it sends what it sent when it ran on
aiohttp, byte for byte but the cookie and token.

A journey's first request is timed from when the journey was due to start,
not from when it was sent, so a generator that falls behind or a server whose
queue grows shows as latency (no coordinated omission); later requests from
when they were sent. An error is any status but the one expected (200, or 303
for a redirect), a time-out (TIMEOUT_S), a broken connection, or a page that is
not the one expected.

Stepping: PROBE_S probes at rising rates until one fails (some page's p99 at
or over P99_LIMIT_MS, or any error); the best passing rate is then held for
CONFIRM_S (stepping down when it fails); then CONFIRM_S at half that rate.
Every step is reported. The generator shares the 2 cores with the server, so
its own CPU time is measured and reported with the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import math
import os
import re
import resource
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import quote_plus, urlencode, urlsplit

import brotli

from . import answer_sets, chart, closed_loop, http_client, journey, processes, server, standalone

OUT = Path(__file__).resolve().parent / "results"
PAGES = ("start", "question", "answer", "check-answers", "results", "reach-out")
TARGET_RATE = 40.0
P99_LIMIT_MS = 250.0
HALF_RATE_P99_MS = 50.0
PROBE_S = 15
CONFIRM_S = 60
# Each worker loads the gazetteer and compiles its templates on first use: not measured.
WARMUP_RATE, WARMUP_S = 5.0, 12
FIRST_RATE = 10.0
MIN_RATE = 2.0
# Probes rise by 5 a second to the target, then by a quarter.
RATE_STEP, RATE_FACTOR = 5.0, 1.25
MAX_PROBES = 12
MAX_CONFIRMS = 2
TIMEOUT_S = 10
# Journeys still under way this long after the last one was due are cut off and counted as errors.
DRAIN_S = 30
PAUSE_S = 3
# Open connections at most, as a proxy's pool to the server; idle ones are dropped before
# gunicorn's own keep-alive (5 s) would close them under a request.
CONNECTIONS = 200
KEEPALIVE_S = 4
MAX_STEPS = journey.MAX_STEPS
# How each page is known, searched for in the page's bytes (never decoded to text).
START_MARK = b'href="/questions"'
FORM_MARK = b'name="csrf_token"'
CHECK_MARK = b"?change=1"
RESULTS_MARK = journey.RESULTS_MARK.encode()
CSRF = re.compile(journey.CSRF.pattern.encode())
# Names what sends the requests, so that a server's log tells benchmark traffic apart.
USER_AGENT = "treatment-options-wizard-bench/capacity"


class JourneyFailed(Exception):
    """The request that went wrong is already counted: end this journey."""


class Step:
    """What one step of the run saw: latencies by page, errors, journeys finished."""

    def __init__(self, kind: str, rate: float, duration_s: float):
        self.kind, self.rate, self.duration_s = kind, rate, duration_s
        self.latencies: dict[str, list[float]] = {page: [] for page in PAGES}
        self.errors: dict[str, int] = {}
        self.lags: list[float] = []
        self.scheduled = self.completed = self.requests = 0
        self.sets_used: set[int] = set()

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of them at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _decoded(body: bytes, encoding: str | None) -> bytes:
    """The body as the page was before compression, decompressed in one call."""
    if not encoding or encoding == "identity":
        return body
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return zlib.decompress(body, wbits=31)
    if encoding == "deflate":
        return zlib.decompress(body)
    raise ValueError(f"an encoding not asked for: {encoding}")


def _lines(headers: dict[str, str]) -> str:
    return "".join(f"{name}: {value}\r\n" for name, value in headers.items())


class Client:
    """What every visitor of one step shares: the connections, and the headers of each page's
    requests but the cookie, made once (a journey asks for the same few dozen paths again and again)."""

    # In the order aiohttp sent them when it ran the generator: Host, the proxy's and Accept-Encoding,
    # the form's, Accept, User-Agent, then Cookie and Content-Length.
    FIRST = _lines({**server.FORWARDED, "Accept-Encoding": closed_loop.ACCEPT_ENCODING})
    LAST = _lines({"Accept": "*/*", "User-Agent": USER_AGENT})

    def __init__(self, base: str):
        self.origin = server.https_origin(base)
        self.connections = http_client.Connections(
            base, limit=CONNECTIONS, keepalive_s=KEEPALIVE_S, timeout_s=TIMEOUT_S
        )
        self.posts: dict[str, str] = {}

    def headers(self, path: str, form: bool) -> str:
        if not form:
            return self.FIRST + self.LAST
        headers = self.posts.get(path)
        if headers is None:
            fields = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.origin + path}
            headers = self.posts[path] = self.FIRST + _lines(fields) + self.LAST
        return headers

    def close(self) -> None:
        self.connections.close()


class Visit:
    """One visitor walking one journey, on the shared connections, keeping the cookies the server
    sets for it. (The Secure cookies go back over the loopback http link that stands in for TLS.)"""

    def __init__(self, step: Step, client: Client, form: dict[str, str], due: float):
        self.step, self.client, self.form, self.due = step, client, form, due
        self.cookies: dict[str, str] = {}
        self.first = True

    def _keep_cookies(self, page: str, set_cookies: list[str]) -> None:
        """As a browser's jar: the latest value of each cookie, dropped when the server expires it.
        The journey's pages set only Path=/ host cookies; any other kind is refused, not guessed at."""
        for header in set_cookies:
            pair, *attributes = header.split(";")
            name, _, value = pair.strip().partition("=")
            expired = False
            for attribute in attributes:
                key, _, setting = attribute.strip().partition("=")
                key = key.lower()
                if key == "max-age":
                    expired = int(setting) <= 0
                elif key == "expires" and "max-age" not in header.lower():
                    expired = email.utils.parsedate_to_datetime(setting).timestamp() <= time.time()
                elif (key == "path" and setting != "/") or key == "domain":
                    self.step.error(f"{page}: a cookie the generator does not keep ({key}={setting})")
                    raise JourneyFailed
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    async def _send(
        self, page: str, method: str, path: str, status: int, mark: bytes | None = None, data: bytes | None = None
    ) -> tuple[str, bytes]:
        """One request, timed; the path it redirects to, and the page. Anything unexpected is an error."""
        sent = time.perf_counter()
        began = self.due if self.first else sent
        if self.first:
            self.step.lags.append(sent - self.due)
            self.first = False
        headers = self.client.headers(path, data is not None)
        if self.cookies:
            headers += "Cookie: " + "; ".join(f"{name}={value}" for name, value in self.cookies.items()) + "\r\n"
        try:
            response = await self.client.connections.request(method, path, headers, data)
        except TimeoutError:
            self.step.error(f"{page}: time-out")
            raise JourneyFailed from None
        except http_client.ClientError as exc:
            self.step.error(f"{page}: {type(exc).__name__}")
            raise JourneyFailed from None
        self.step.latencies[page].append((time.perf_counter() - began) * 1000)
        self.step.requests += 1
        if response.set_cookies:
            self._keep_cookies(page, response.set_cookies)
        if response.status != status:
            self.step.error(f"{page}: status {response.status}")
            raise JourneyFailed
        try:
            body = _decoded(response.body, response.headers.get("content-encoding"))
        except (brotli.error, zlib.error, ValueError):
            self.step.error(f"{page}: a body that does not decompress")
            raise JourneyFailed from None
        if mark is not None and mark not in body:
            self.step.error(f"{page}: not the expected page")
            raise JourneyFailed
        return _path(response.headers.get("location", "")), body

    async def walk(self) -> None:
        await self._send("start", "GET", "/", 200, START_MARK)
        path, _ = await self._send("start", "GET", "/questions", 303)
        for _step in range(MAX_STEPS):
            if not path.startswith("/questions/"):
                break
            question = path.rsplit("/", 1)[1]
            _, html = await self._send("question", "GET", path, 200, FORM_MARK)
            token = CSRF.search(html)
            field = self.form.get(question)
            if token is None or field is None:
                self.step.error(f"question: cannot answer {question}")
                raise JourneyFailed
            # As urlencode would put the token and the answer together (an answer of no values adds nothing).
            body = f"csrf_token={quote_plus(token.group(1))}"
            body = (f"{body}&{field}" if field else body).encode()
            target, _ = await self._send("answer", "POST", path, 303, data=body)
            if not target or target == path:  # sent back to the same question: the answer was refused
                self.step.error("answer: refused")
                raise JourneyFailed
            path = target
        if path != "/check-answers":
            self.step.error(f"answer: the journey ended on {path}")
            raise JourneyFailed
        await self._send("check-answers", "GET", path, 200, CHECK_MARK)
        await self._send("results", "GET", "/results", 200, RESULTS_MARK)
        await self._send("reach-out", "GET", "/reach-out", 200, FORM_MARK)


@functools.cache
def _path(location: str) -> str:
    return urlsplit(location).path


def _field(question: str, value) -> str:
    if question == "town" and value not in ("", "prefer_not_to_say"):
        # As the town field sends a town picked from its suggestions: "#" and its id.
        value = "#" + value
    return value


def forms(sets: list[dict]) -> list[dict[str, str]]:
    """Each answer set's answers as its forms send them, one encoded field for each question,
    made once before the run: only the CSRF token is added to them as the journey goes."""
    return [{q: urlencode({q: _field(q, v)}, doseq=True) for q, v in answers.items()} for answers in sets]


async def _one(step: Step, client: Client, form: dict[str, str], due: float) -> None:
    delay = due - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
    try:
        await Visit(step, client, form, due).walk()
    except JourneyFailed:
        return
    step.completed += 1


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _step(
    kind: str, rate: float, duration_s: float, base: str, pid: int, sets: list[dict[str, str]], offset: int
) -> dict:
    """`sets`: the answer sets as their forms send them (`forms`)."""
    step = Step(kind, rate, duration_s)
    count = int(rate * duration_s)
    client = Client(base)
    cpu_before, server_before = _own_cpu_s(), processes.group_cpu_seconds(pid)
    started = time.perf_counter() + 0.2
    tasks = []
    for i in range(count):
        index = (offset + i) % len(sets)
        step.sets_used.add(index)
        tasks.append(asyncio.create_task(_one(step, client, sets[index], started + i / rate)))
    step.scheduled = count
    _done, pending = await asyncio.wait(tasks, timeout=duration_s + DRAIN_S + 0.2)
    for task in pending:
        task.cancel()
    if pending:
        step.errors["unfinished journeys"] = len(pending)
        await asyncio.wait(pending)
    wall = time.perf_counter() - started
    cpu, server_cpu = _own_cpu_s() - cpu_before, processes.group_cpu_seconds(pid) - server_before
    client.close()
    pages = {
        page: {
            "requests": len(values),
            "p50_ms": _percentile(values, 0.50),
            "p99_ms": _percentile(values, 0.99),
            "max_ms": max(values, default=None),
        }
        for page, values in step.latencies.items()
    }
    errors = sum(step.errors.values())
    worst = max(PAGES, key=lambda p: pages[p]["p99_ms"] or -1)
    return {
        "kind": kind,
        "rate": rate,
        "duration_s": duration_s,
        "scheduled": step.scheduled,
        "completed": step.completed,
        "requests": step.requests,
        "requests_per_s": step.requests / wall,
        "wall_s": wall,
        "errors": errors,
        "error_kinds": step.errors,
        "pages": pages,
        "slowest_page": worst,
        "start_lag_p99_ms": (_percentile(step.lags, 0.99) or 0) * 1000,
        "generator_cpu_s": cpu,
        "generator_cores": cpu / wall,
        "server_cores": server_cpu / wall,
        "server_cpu_ms_per_journey": server_cpu * 1000 / step.completed if step.completed else None,
        "sets_used": len(step.sets_used),
        "passed": errors == 0
        and step.completed == step.scheduled
        and all(p["p99_ms"] is not None and p["p99_ms"] < P99_LIMIT_MS for p in pages.values()),
    }


def _next_rate(rate: float) -> float:
    return rate + RATE_STEP if rate < TARGET_RATE else round(rate * RATE_FACTOR / RATE_STEP) * RATE_STEP


def _line(result: dict) -> str:
    worst = result["slowest_page"]
    return (
        f"  {result['kind']:<8} {result['rate']:>5g}/s {result['duration_s']:>3g} s: "
        f"{result['completed']}/{result['scheduled']} journeys, {result['errors']} errors, "
        f"slowest {worst} p99 {_ms(result['pages'][worst]['p99_ms'])} ms, "
        f"generator {result['generator_cores']:.0%} of a core, server {result['server_cores']:.2f} cores"
        + ("" if result["passed"] else "  (fails)")
    )


async def _run(base: str, pid: int, sets: list[dict[str, str]], log) -> dict:
    steps: list[dict] = []
    used: set[int] = set()
    offset = 0

    async def step(kind: str, rate: float, duration_s: float) -> dict:
        nonlocal offset
        result = await _step(kind, rate, duration_s, base, pid, sets, offset)
        count = result["scheduled"]
        used.update((offset + i) % len(sets) for i in range(count))
        offset += count
        steps.append(result)
        log(_line(result))
        await asyncio.sleep(PAUSE_S if result["passed"] else 2 * PAUSE_S)
        return result

    await step("warm-up", WARMUP_RATE, WARMUP_S)
    passing: list[float] = []
    rate = FIRST_RATE
    for _probe in range(MAX_PROBES):
        if not (await step("probe", rate, PROBE_S))["passed"]:
            # One more probe halfway back, to find the knee a little more closely.
            middle = (passing[-1] + rate) / 2 if passing else rate
            if passing and rate - passing[-1] > RATE_STEP / 2 and (await step("probe", middle, PROBE_S))["passed"]:
                passing.append(middle)
            break
        passing.append(rate)
        rate = _next_rate(rate)
    # Not even the first rate: look below it, so the report still says where the server stands.
    rate = FIRST_RATE
    while not passing and rate > MIN_RATE:
        rate /= 2
        if (await step("probe", rate, PROBE_S))["passed"]:
            passing.append(rate)
    capacity, confirmed = 0.0, None
    # Held for the full time at the best rate a probe passed; a step lower if it fails there.
    for rate in sorted(passing, reverse=True)[:MAX_CONFIRMS]:
        result = await step("confirm", rate, CONFIRM_S)
        if result["passed"]:
            capacity, confirmed = rate, result
            break
    half = await step("half", capacity / 2, CONFIRM_S) if capacity else None
    return {
        "steps": steps,
        "best_probe": max(passing, default=0.0),
        "capacity": capacity,
        "confirmed": confirmed,
        "half": half,
        "sets_used": len(used),
    }


def run(log=print) -> dict:
    """Every step against the production server; also writes bench/results/capacity.svg."""
    log("  drawing the answer sets ...")
    sets = answer_sets.pool()
    pool = answer_sets.describe(sets)
    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    with server.running("wsgi:app", ready_path="/reach-out") as wizard:
        found = asyncio.run(_run(wizard.base, wizard.process.pid, forms(sets), log))
    data = {
        **found,
        "cores": cores,
        "load_average": {"before": load_before, "after": os.getloadavg()[0]},
        "capacity_per_core": found["capacity"] / cores,
        "answer_sets": pool,
        "gunicorn": server.settings(),
        "settings": {
            "probe_s": PROBE_S,
            "confirm_s": CONFIRM_S,
            "p99_limit_ms": P99_LIMIT_MS,
            "timeout_s": TIMEOUT_S,
            "connections": CONNECTIONS,
            "accept_encoding": closed_loop.ACCEPT_ENCODING,
        },
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "capacity.svg").write_text(chart.svg(data))
    return data


# --- the summary ------------------------------------------------------------------------------------


def _status(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def targets(data: dict) -> list[list[str]]:
    capacity, cores = data["capacity"], data["cores"]
    confirmed, half = data["confirmed"], data["half"]
    if confirmed:
        worst = confirmed["slowest_page"]
        measured = (
            f"{capacity:g} journeys/s ({data['capacity_per_core']:.1f} per core); slowest: {worst}, "
            f"p99 {_ms(confirmed['pages'][worst]['p99_ms'])} ms"
        )
    elif data["best_probe"]:
        measured = f"no rate held for {CONFIRM_S} s (the best {PROBE_S} s probe: {data['best_probe']:g} journeys/s)"
    else:
        measured = "no rate passed"
    rows = [
        [
            f"capacity ≥ {TARGET_RATE:g} journeys/s on {cores} cores for {CONFIRM_S} s, "
            f"every page's p99 < {P99_LIMIT_MS:g} ms, no errors",
            measured,
            _status(capacity >= TARGET_RATE),
        ]
    ]
    if half:
        worst = half["slowest_page"]
        p99 = half["pages"][worst]["p99_ms"]
        rows.append(
            [
                f"at half capacity ({half['rate']:g} journeys/s): every page's p99 < {HALF_RATE_P99_MS:g} ms",
                f"slowest: {worst}, p99 {_ms(p99)} ms; {half['errors']} errors",
                _status(p99 is not None and p99 < HALF_RATE_P99_MS and half["errors"] == 0),
            ]
        )
    else:
        rows.append([f"at half capacity: every page's p99 < {HALF_RATE_P99_MS:g} ms", "not measured", "MISS"])
    return rows


def report(data: dict) -> list[str]:
    pool, g = data["answer_sets"], data["gunicorn"]
    lines = [
        f"Open-loop: journeys start on schedule at each rate whatever the server is doing; a journey's first "
        f"request is timed from when it was due. gunicorn from {g['source']}: {g['workers']} workers × "
        f"{g['threads']} threads ({g['worker_class']}). Probes of {data['settings']['probe_s']} s at rising rates, "
        f"then {data['settings']['confirm_s']} s at the best passing rate and at half of it. A step passes with "
        f"every page's p99 under {P99_LIMIT_MS:g} ms and no errors (time-out {TIMEOUT_S} s). The generator "
        f"(asyncio, one process) runs on the same {data['cores']} cores as the server; its CPU and the server's "
        "are shown as cores used (2.00 would be the whole machine), and the server's CPU time per journey "
        "finished, which depends less on what else is running than the rates do.",
        "",
        f"Answers: {data['sets_used']:,} distinct answer sets used, from a seeded pool of {pool['distinct']:,} "
        f"drawn from the answer-space walk ({pool['countries']} countries; {pool['with_region']} with a region, "
        f"{pool['with_town']} with a town).",
        "",
        f"**Capacity: {data['capacity']:g} journeys/s, {data['capacity_per_core']:.1f} per core.** "
        "Chart: bench/results/capacity.svg.",
        "",
    ]
    confirmed = data["confirmed"]
    if confirmed:
        lines += [
            f"At that rate the generator used {confirmed['generator_cores']:.2f} of a core "
            f"({confirmed['generator_cores'] / data['cores']:.0%} of the machine) and the server "
            f"{confirmed['server_cores']:.2f} cores, {_ms(confirmed['server_cpu_ms_per_journey'])} ms of CPU per "
            "journey: what is left of the cores was taken by anything else running on the machine "
            f"(load average {data['load_average']['before']:.1f} before the run, "
            f"{data['load_average']['after']:.1f} after).",
            "",
        ]
    header = ["step", "rate /s", "s", "journeys done", "req/s", "errors"]
    header += [f"{page} p50 / p99 ms" for page in PAGES]
    header += ["start lag p99 ms", "generator cores", "server cores", "server CPU ms per journey", "pass"]
    lines += ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for s in data["steps"]:
        row = [
            s["kind"],
            f"{s['rate']:g}",
            f"{s['duration_s']:g}",
            f"{s['completed']} of {s['scheduled']}",
            f"{s['requests_per_s']:.0f}",
            str(s["errors"]),
            *(f"{_ms(s['pages'][p]['p50_ms'])} / {_ms(s['pages'][p]['p99_ms'])}" for p in PAGES),
            _ms(s["start_lag_p99_ms"]),
            f"{s['generator_cores']:.2f}",
            f"{s['server_cores']:.2f}",
            _ms(s["server_cpu_ms_per_journey"]),
            "yes" if s["passed"] else "no",
        ]
        lines.append("| " + " | ".join(row) + " |")
    kinds: dict[str, int] = {}
    for s in data["steps"]:
        for kind, n in s["error_kinds"].items():
            kinds[f"{s['kind']} {s['rate']:g}/s, {kind}"] = kinds.get(f"{s['kind']} {s['rate']:g}/s, {kind}", 0) + n
    if kinds:
        lines += ["", "Errors seen: " + "; ".join(f"{k} ({n})" for k, n in kinds.items())]
    return lines


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        standalone.main(sys.modules[__name__], "capacity")
