"""Walking the journey over HTTP, as a browser would: for a results-page cookie.

The answers are the integration tests' `FULL` answers (the longest path: the
injecting question is asked too), so the results page measured here is the
one those tests check.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests

from tests.support.answers import FULL

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
COOKIE = "wizard"
RESULTS_MARK = "Why this may suit you"
TIMEOUT_S = 30
MAX_STEPS = 30


def answers() -> dict:
    return dict(FULL)


def walk(base: str) -> requests.Session:
    """Answer every question at `base` with the FULL answers; the session ends on "Check your answers"."""
    session = requests.Session()
    page = session.get(base + "/questions", timeout=TIMEOUT_S)
    path = urlsplit(page.url).path
    for _step in range(MAX_STEPS):
        if not path.startswith("/questions/"):
            break
        question = path.rsplit("/", 1)[1]
        token = CSRF.search(page.text)
        if token is None or question not in FULL:
            raise RuntimeError(f"cannot answer {path} (status {page.status_code})")
        page = session.post(page.url, data={"csrf_token": token.group(1), question: FULL[question]}, timeout=TIMEOUT_S)
        path = urlsplit(page.url).path
    if path != "/check-answers":
        raise RuntimeError(f"the journey ended on {path}, not on /check-answers")
    return session


def results_cookie(base: str) -> str:
    """A `Cookie` header value that opens the results page, checked once."""
    session = walk(base)
    header = f"{COOKIE}={session.cookies.get(COOKIE)}"
    check = requests.get(base + "/results", headers={"Cookie": header}, allow_redirects=False, timeout=TIMEOUT_S)
    if check.status_code != 200 or RESULTS_MARK not in check.text:
        raise RuntimeError(f"the results cookie does not open the results page (status {check.status_code})")
    return header
