"""Locust users who each walk the whole journey, again and again, as new visitors.

Run by bench/load.py in bench's own virtualenv (locust is not installed into
the project's: its pytest plugin would join the test suite). Needs only locust
and the standard library. Each journey: the start page, every question (GET the
page, POST the answer with the form's CSRF token, follow the 303 by hand so
every request is counted on its own), check your answers, results, reach out.
No call-back is ever submitted. Any unexpected status, redirect or page is a
failed request; a journey that goes wrong in any other way raises, and locust
counts it as an error.

The answers come from BENCH_ANSWERS (JSON), so they match the other benchmarks.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, constant, task

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
ANSWERS: dict = json.loads(os.environ.get("BENCH_ANSWERS", "{}"))
MAX_STEPS = 30


# As bench/server.py: the server runs in production mode, and these users act as browsers
# behind a TLS-terminating proxy. The proxy's X-Forwarded-Proto goes with every request
# (the server believes it from 127.0.0.1), POSTs carry the same-origin https Referer a
# browser sends (the CSRF check on https requires one), and the jar returns the Secure
# cookies over this plain-http loopback link, which stands in for the browser's TLS link.
FORWARDED = {"X-Forwarded-Proto": "https"}


class LoopbackTlsCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    def return_ok_secure(self, cookie, request) -> bool:
        return True


class JourneyFailed(Exception):
    """The request that went wrong is already recorded as failed: end this journey."""


class Visitor(FastHttpUser):
    # No pause between pages: the server is kept as busy as 200 people clicking at once can make it.
    wait_time = constant(0)
    default_headers = FORWARDED

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(LoopbackTlsCookiePolicy())
        self.origin = "https://" + urlsplit(self.host).netloc

    def _get(self, path: str, name: str, mark: str | None = None) -> str:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"GET {path}: status {response.status_code}")
                raise JourneyFailed
            text = response.text or ""
            if mark is not None and mark not in text:
                response.failure(f"GET {path}: the page lacks {mark!r}")
                raise JourneyFailed
            return text

    def _answer(self, path: str, html: str) -> str:
        """POST the answer to the question at `path`; the path the server sends us on to."""
        question = path.rsplit("/", 1)[1]
        token = CSRF.search(html)
        if token is None or question not in ANSWERS:
            raise RuntimeError(f"cannot answer {path}")
        # Encoded here: a question with several answers sends the field once per answer.
        body = urlencode({"csrf_token": token.group(1), question: ANSWERS[question]}, doseq=True)
        with self.client.post(
            path,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": self.origin + path},
            name="POST /questions/[id]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            target = urlsplit(response.headers.get("Location") or "").path
            if response.status_code != 303 or not target or target == path:
                # Sent back to the same question: the answer was refused.
                response.failure(f"POST {path}: status {response.status_code}, to {target or 'nowhere'}")
                raise JourneyFailed
            return target

    @task
    def journey(self) -> None:
        self.client.cookiejar.clear()  # a new visitor every time
        try:
            self._get("/", "/")
            with self.client.get(
                "/questions", name="/questions", allow_redirects=False, catch_response=True
            ) as response:
                path = urlsplit(response.headers.get("Location") or "").path
                if response.status_code != 303 or not path.startswith("/questions/"):
                    response.failure(f"GET /questions: status {response.status_code}")
                    raise JourneyFailed
            for _step in range(MAX_STEPS):
                if not path.startswith("/questions/"):
                    break
                html = self._get(path, "/questions/[id]", mark='name="csrf_token"')
                path = self._answer(path, html)
            if path != "/check-answers":
                raise RuntimeError(f"the journey ended on {path}, not on /check-answers")
            self._get(path, "/check-answers", mark="/questions/faith?change=1")
            self._get("/results", "/results", mark="Why it fits:")
            self._get("/reach-out", "/reach-out", mark='name="csrf_token"')
        except JourneyFailed:
            return
