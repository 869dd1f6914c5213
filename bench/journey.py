"""Walking the journey over HTTP, as a browser behind the TLS proxy would: for a results-page cookie.

The answers are the integration tests' `FULL` answers (the longest path: the
injecting question is asked too), so the results page measured here is the
one those tests check.
"""

from __future__ import annotations

import http.cookiejar
import re
from urllib.parse import urljoin, urlsplit

import requests
from requests.cookies import extract_cookies_to_jar, get_cookie_header

from tests.support.answers import FULL

from . import server

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
# Production's name for the visitor's cookie: Secure, host-only, Path=/.
COOKIE = "__Host-wizard"
RESULTS_MARK = "Why it fits:"
TIMEOUT_S = 30
MAX_STEPS = 30


def answers() -> dict:
    return dict(FULL)


class Visitor:
    """A browser behind the TLS proxy, over requests: the proxy's header on every request,
    redirects followed, and a cookie jar that returns the Secure cookies over this plain-http
    link. (A requests Session copies its cookies into a jar of the default policy for each
    request, which keeps Secure cookies off http: hence a jar of its own, applied here.)"""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar(server.LoopbackTlsCookiePolicy())
        self.connections = requests.Session()

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        while True:
            headers = {**server.FORWARDED, **kwargs.pop("headers", {})}
            prepared = requests.Request(method, url, headers=headers, **kwargs).prepare()
            cookie = get_cookie_header(self.jar, prepared)
            if cookie:
                prepared.headers["Cookie"] = cookie
            response = self.connections.send(prepared, allow_redirects=False, timeout=TIMEOUT_S)
            extract_cookies_to_jar(self.jar, prepared, response.raw)
            if not response.is_redirect:
                return response
            method, url, kwargs = "GET", urljoin(url, response.headers["Location"]), {}

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


def walk(base: str) -> Visitor:
    """Answer every question at `base` with the FULL answers; the visitor ends on "Check your answers"."""
    visitor = Visitor()
    origin = server.https_origin(base)
    page = visitor.request("GET", base + "/questions")
    path = urlsplit(page.url).path
    for _step in range(MAX_STEPS):
        if not path.startswith("/questions/"):
            break
        question = path.rsplit("/", 1)[1]
        token = CSRF.search(page.text)
        if token is None or question not in FULL:
            raise RuntimeError(f"cannot answer {path} (status {page.status_code})")
        page = visitor.request(
            "POST",
            page.url,
            data={"csrf_token": token.group(1), question: FULL[question]},
            headers={"Referer": origin + path},
        )
        path = urlsplit(page.url).path
    if path != "/check-answers":
        raise RuntimeError(f"the journey ended on {path}, not on /check-answers")
    return visitor


def results_cookie(base: str) -> str:
    """A `Cookie` header value that opens the results page, checked once."""
    header = f"{COOKIE}={walk(base).cookie(COOKIE)}"
    check = requests.get(
        base + "/results", headers={"Cookie": header, **server.FORWARDED}, allow_redirects=False, timeout=TIMEOUT_S
    )
    if check.status_code != 200 or RESULTS_MARK not in check.text:
        raise RuntimeError(f"the results cookie does not open the results page (status {check.status_code})")
    return header
