"""The capacity generator's visitor (bench/capacity.py) walks a journey as the browser behind the
proxy does, against a small stand-in for the wizard that records every request."""

from __future__ import annotations

import asyncio
import gzip
import time
from urllib.parse import urlencode

import brotli

from bench import capacity
from tests.support.loopback_server import Server

FORM = b'<form method="post"><input name="csrf_token" type="hidden" value="tok.en-1"></form>'
COOKIE = "Set-Cookie: __Host-wizard={}; Secure; HttpOnly; Path=/; SameSite=Lax\r\n"


def _page(body: bytes, encoding: str = "br", extra: str = "") -> bytes:
    packed = brotli.compress(body) if encoding == "br" else gzip.compress(body)
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(packed)}\r\nContent-Encoding: {encoding}\r\n{extra}\r\n"
    return head.encode() + packed


def _redirect(location: str, extra: str = "") -> bytes:
    return f"HTTP/1.1 303 SEE OTHER\r\nLocation: {location}\r\nContent-Length: 0\r\n{extra}\r\n".encode()


def _walk(answers: list[bytes | None], form: dict[str, str]) -> tuple[Server, str, capacity.Step]:
    async def run():
        fake = Server(answers)
        async with fake.running() as base:
            step = capacity.Step("probe", 1.0, 1.0)
            client = capacity.Client(base)
            visit = capacity.Visit(step, client, form, time.perf_counter())
            try:
                await visit.walk()
                step.completed += 1
            except capacity.JourneyFailed:
                pass
            client.close()
        return fake, base, step

    return asyncio.run(run())


JOURNEY = [
    _page(b'<a href="/questions">Start</a>'),
    _redirect("/questions/who"),
    _page(FORM, extra=COOKIE.format("one")),
    _redirect("/questions/substances", COOKIE.format("two")),
    _page(FORM, "gzip"),
    _redirect("/check-answers", COOKIE.format("three")),
    _page(b'<a href="/questions/who?change=1">Change</a>'),
    _page(b"<h2>Why it fits:</h2>"),
    _page(FORM),
]


def test_a_journey_is_walked_with_the_headers_cookie_and_forms_of_a_browser_behind_the_proxy():
    form = capacity.forms([{"who": "myself", "substances": ["opioids", "alcohol"]}])[0]
    fake, base, step = _walk(JOURNEY, form)
    assert (step.completed, step.errors, step.requests) == (1, {}, 9)
    host = base.removeprefix("http://")
    browser = "X-Forwarded-Proto: https\r\nAccept-Encoding: gzip, deflate, br\r\n"
    own = f"Accept: */*\r\nUser-Agent: {capacity.USER_AGENT}\r\n"

    def get(path, cookie=None):
        line = f"Cookie: __Host-wizard={cookie}\r\n" if cookie else ""
        return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{browser}{own}{line}\r\n".encode()

    def post(path, cookie, body):
        form_headers = f"Content-Type: application/x-www-form-urlencoded\r\nReferer: https://{host}{path}\r\n"
        return (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{browser}{form_headers}{own}Cookie: __Host-wizard={cookie}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()

    assert fake.requests == [
        get("/"),
        get("/questions"),
        get("/questions/who"),
        post("/questions/who", "one", "csrf_token=tok.en-1&who=myself"),
        get("/questions/substances", "two"),
        post("/questions/substances", "two", "csrf_token=tok.en-1&substances=opioids&substances=alcohol"),
        get("/check-answers", "three"),
        get("/results", "three"),
        get("/reach-out", "three"),
    ]


def test_the_forms_are_encoded_as_urlencode_would_encode_each_whole_form():
    answers = {"who": "someone else", "substances": [], "support": ["a&b", "c"], "town": "123", "region": ""}
    form = capacity.forms([answers])[0]
    for question, value in answers.items():
        value = "#123" if question == "town" else value
        whole = urlencode({"csrf_token": "t/k=", question: value}, doseq=True)
        field = form[question]
        assert whole == ("csrf_token=t%2Fk%3D&" + field if field else "csrf_token=t%2Fk%3D")


def test_an_expired_cookie_is_no_longer_sent():
    answers = [*JOURNEY[:5], _redirect("/check-answers", COOKIE.format("gone").replace("Path=/", "Max-Age=0; Path=/"))]
    answers += JOURNEY[6:]
    form = capacity.forms([{"who": "myself", "substances": "opioids"}])[0]
    fake, _base, step = _walk(answers, form)
    assert step.completed == 1
    assert b"Cookie" not in fake.requests[-1]


def test_a_page_that_is_not_the_one_expected_ends_the_journey_as_an_error():
    answers = [*JOURNEY[:7], _page(b"<h1>Something went wrong</h1>"), None]
    fake, _base, step = _walk(answers, capacity.forms([{"who": "myself", "substances": "opioids"}])[0])
    assert (step.completed, step.errors) == (0, {"results: not the expected page": 1})
    assert len(fake.requests) == 8


def test_a_question_the_answers_do_not_cover_ends_the_journey_as_an_error():
    fake, _base, step = _walk([*JOURNEY[:3], None], capacity.forms([{"country": "GB"}])[0])
    assert (step.completed, step.errors) == (0, {"question: cannot answer who": 1})
    assert len(fake.requests) == 3
