"""Which host names the service answers on (L4) and where the staff console lives (M7).

PUBLIC_HOST lists the names people reach the service at; any other Host header gets a
plain 400, so share links, the partners' snippet and API problem types can never be
built on a name an attacker sent. When STAFF_HOST is set, the console answers only
there (its own origin, so no public page or partner frame shares it) and the public
host answers 404 under /staff; the staff host serves nothing but the console (and the
static files its pages use, and the health probes). Each app refuses the host that is not
its own with its own 404 page.

A WSGI check rather than Flask's TRUSTED_HOSTS: the health probes must stay answerable
on the instance's own address, which load balancers send as the Host.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, abort, request
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wsgi import get_host

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})


def parse_hosts(text: str) -> tuple[str, ...]:
    hosts = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    for host in hosts:
        if not host_is_trusted(host) or "/" in host:
            raise RuntimeError(f"{host!r} is not a host name such as help.example.org (no scheme, no path).")
    return hosts


# Host header values whose answer (known or not) is kept.
HOSTS_KEPT = 64


class KnownHosts:
    def __init__(self, app, hosts: tuple[str, ...]):
        self.app = app
        self.hosts = hosts
        # Werkzeug's check encodes the name and each known one to IDNA, in Python, on every request; the
        # names asked for are nearly always the same one or two, so each answer is kept (a bounded number
        # of names: the least recently asked for are forgotten).
        self._known = lru_cache(maxsize=HOSTS_KEPT)(self._trusted)

    def _trusted(self, host: str) -> bool:
        return host_is_trusted(host, self.hosts)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "") not in HEALTH_PATHS and not self._known(get_host(environ)):
            body = b"Unknown host.\n"
            start_response(
                "400 Bad Request",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return self.app(environ, start_response)


def known_hosts(wsgi_app, config) -> object:
    """The whole site, answering only on PUBLIC_HOST and STAFF_HOST when PUBLIC_HOST is set."""
    public = parse_hosts(config.get("PUBLIC_HOST", ""))
    staff = parse_hosts(config.get("STAFF_HOST", ""))
    return KnownHosts(wsgi_app, public + staff) if public else wsgi_app


def init_app(app: Flask, *, console: bool = False, on_any_host: frozenset[str] = frozenset()) -> None:
    """With STAFF_HOST set, the console app answers only on it and every other app never does
    (but for the endpoints in on_any_host: the health probes, and the static files on the staff host)."""
    staff = parse_hosts(app.config.get("STAFF_HOST", ""))
    # Read by the staff session interface: on the staff host the console's cookie is host-only.
    app.extensions["staff_hosts"] = staff
    if not staff:
        return

    @app.before_request
    def keep_the_console_on_its_own_host():
        if host_is_trusted(request.host, staff) != console and request.endpoint not in on_any_host:
            abort(404)
