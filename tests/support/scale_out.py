"""Several gunicorn instances behind one hostname, and a visitor whose requests go to each in turn."""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.servers import Gunicorn, upgrade_database

REFERENCE = re.compile(r'<strong class="reference"><bdi dir="ltr">([0-9A-Z]{4}-[0-9A-Z]{4})</bdi></strong>')


CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


TOO_MANY = "Please wait before sending this again"


class Instance(Gunicorn):
    """One `gunicorn --config gunicorn.conf.py`."""

    def __init__(self, name: str, env: dict, log_path: Path):
        super().__init__(f"instance {name}", ["--config", str(ROOT / "gunicorn.conf.py")], env, log_path)


@contextmanager
def instances(count: int, env: dict, folder: Path) -> Iterator[list[Instance]]:
    """`count` instances with the same settings, started together after the deployment's `db upgrade`."""
    upgrade_database(env)
    started = [Instance(chr(ord("A") + n), env, folder / f"instance-{n}.log") for n in range(count)]
    try:
        for instance in started:
            instance.start()
        deadline = time.monotonic() + 120
        for instance in started:
            instance.wait_until_ready(deadline)
        yield started
    finally:
        for instance in started:
            instance.stop()


class Visitor:
    """One browser behind a load balancer: a single cookie jar, and each request to the next instance.

    Cookies are not port-specific (RFC 6265), so the jar sends the same cookies to both."""

    def __init__(self, bases: list[str]):
        self.session = requests.Session()
        self._next = itertools.cycle(bases)
        self.served_by: Counter[str] = Counter()

    def _send(self, method: str, path: str, base: str | None = None, **kwargs) -> requests.Response:
        base = base or next(self._next)
        self.served_by[base] += 1
        response = self.session.request(method, base + path, allow_redirects=False, timeout=TIMEOUT, **kwargs)
        # Production cookies are Secure. Browsers treat http://127.0.0.1 as a secure context and
        # send them there; Python's cookie jar does not, unless told the cookie is not Secure.
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def request(self, method: str, path: str, base: str | None = None, **kwargs) -> requests.Response:
        """Follows redirects, each one to the next instance in turn."""
        response = self._send(method, path, base, **kwargs)
        for _hop in range(10):
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = urlsplit(response.headers["Location"])
            response = self._send("GET", location.path + (f"?{location.query}" if location.query else ""))
        pytest.fail(f"too many redirects from {path}")

    def get(self, path: str, base: str | None = None) -> requests.Response:
        return self.request("GET", path, base)

    def post(self, path: str, data: dict, base: str | None = None) -> requests.Response:
        return self.request("POST", path, base, data=data)

    def close(self) -> None:
        self.session.close()


ROOT = Path(__file__).resolve().parents[2]


TIMEOUT = 30
