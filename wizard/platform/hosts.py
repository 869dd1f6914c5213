"""Which host names the service answers on (L4) and where the staff console lives (M7).

PUBLIC_HOST lists the names people reach the service at; any other Host header gets a
plain 400, so share links, the partners' snippet and API problem types can never be
built on a name an attacker sent. When STAFF_HOST is set, the console answers only
there (its own origin, so no public page or partner frame shares it) and the public
host answers 404 under /staff; the staff host serves nothing but the console.

A WSGI check rather than Flask's TRUSTED_HOSTS: the health probes must stay answerable
on the instance's own address, which load balancers send as the Host.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wsgi import get_host

from wizard.platform.sessions import is_staff_path

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})


def parse_hosts(text: str) -> tuple[str, ...]:
    hosts = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    for host in hosts:
        if not host_is_trusted(host) or "/" in host:
            raise RuntimeError(f"{host!r} is not a host name such as help.example.org (no scheme, no path).")
    return hosts


class KnownHosts:
    def __init__(self, app, hosts: tuple[str, ...]):
        self.app = app
        self.hosts = hosts

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "") not in HEALTH_PATHS and not host_is_trusted(get_host(environ), self.hosts):
            body = b"Unknown host.\n"
            start_response(
                "400 Bad Request",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    public = parse_hosts(app.config.get("PUBLIC_HOST", ""))
    staff = parse_hosts(app.config.get("STAFF_HOST", ""))
    # Read by the session interface: on the staff host the console's cookie is host-only.
    app.extensions["staff_hosts"] = staff
    if public:
        app.wsgi_app = KnownHosts(app.wsgi_app, public + staff)
    if not staff:
        return

    @app.before_request
    def keep_the_console_on_its_own_host():
        on_staff_host = host_is_trusted(request.host, staff)
        if request.path in HEALTH_PATHS:
            return
        if is_staff_path(request.path) != on_staff_host and not (on_staff_host and request.path.startswith("/static/")):
            abort(404)
