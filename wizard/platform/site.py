"""The set-up every app shares, and the one WSGI callable that joins the three apps into a site.

Each app (public, staff console, API) gets the same plumbing from ``new_app``: its settings,
the shared services, logging, languages, static file names, security headers, templates,
compression and rate limits; then its factory adds its own cookie, language and error policy.
``Site`` sends each request to the app that owns its address, and is wrapped once, outermost,
by the proxy fix, the host check and the request log.

Hand-written rather than Werkzeug's DispatcherMiddleware: that one moves the mount point into
SCRIPT_NAME, and these apps keep their full addresses (the console's /staff, the API's
/api/v1), so that their links to the shared static files, the console's cookie path and
every address stay as they were, and the site can itself be mounted under a prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, request
from werkzeug.routing import BuildError

from wizard.platform import (
    assets,
    compression,
    fragments,
    hosts,
    i18n,
    logging_setup,
    proxies,
    templating,
)
from wizard.platform import rate_limits as limits
from wizard.platform import security_headers as security
from wizard.platform.services import Services, install
from wizard.platform.sessions import STAFF_PREFIX
from wizard.platform.settings import PROJECT_ROOT

API_PREFIX = "/api"
log = logging.getLogger(__name__)


def new_app(
    import_name: str,
    config: dict,
    shared: Services,
    *,
    flask_class: type[Flask] = Flask,
    locale_selector: Callable[[], str] = i18n.select_locale,
    forms: bool = True,
    rate_headers_on_every_response: bool = False,
) -> Flask:
    """An app with the site's settings, services and common plumbing, ready for its own views."""
    app = flask_class(
        import_name,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    # Before anything makes the template environment, which Flask does on first use.
    app.jinja_environment = templating.Environment
    app.config.update(config)
    logging_setup.init_app(app)
    quiet_tracebacks(app)
    install(app, shared)
    i18n.init_app(app, locale_selector)
    assets.init_app(app)
    security.init_app(app, forms=forms)
    templating.init_app(app)
    fragments.init_app(app)
    compression.init_app(app)
    limits.init_app(app, headers_on_every_response=rate_headers_on_every_response)
    return app


def quiet_tracebacks(app: Flask) -> None:
    """Outside development, an exception Flask logs itself (one raised inside an error handler,
    say) is logged by its type only: a traceback's locals and messages can quote what a person
    typed, and answers never go into logs (L2)."""
    if app.config.get("DEVELOPMENT") or app.testing:
        return

    def log_exception(exc_info) -> None:
        kind = exc_info[0].__name__ if exc_info and exc_info[0] else "unknown"
        app.logger.error("unhandled %s on %s", kind, request.url_rule.rule if request.url_rule else "no route")

    app.log_exception = log_exception


def links_into(target: Flask) -> Callable:
    """A url_build_error_handler: ``url_for`` of another app's endpoint (a page's layout shared
    between apps links to the public pages), built from the target app's routes on this
    request's host and script root, so that it stays right under a prefix."""

    def build(error: BuildError, endpoint: str, values: dict) -> str | None:
        if endpoint not in target.view_functions:
            return None
        values = dict(values)
        external = bool(values.pop("_external", False))
        anchor = values.pop("_anchor", None)
        method = values.pop("_method", None)
        scheme = values.pop("_scheme", None)
        target.inject_url_defaults(endpoint, values)
        adapter = target.url_map.bind(
            request.host, script_name=request.script_root or "/", url_scheme=scheme or request.scheme
        )
        url = adapter.build(endpoint, values, method=method, force_external=external or scheme is not None)
        return f"{url}#{anchor}" if anchor else url

    return build


def _owns(prefix: str, path: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class Site:
    """The public app at the root, the console at /staff and the API under /api: one WSGI callable.

    The API owns every address under /api/, so that an address it does not have gets its JSON
    problem rather than a web page. The public app's own WSGI entry becomes the site's, so
    its ``test_client()`` and ``run()`` serve the whole site, and ``public.site`` is this.
    """

    def __init__(self, public: Flask, staff: Flask, api: Flask, config: dict):
        self.public = public
        self.staff = staff
        self.api = api
        self.mounts = {STAFF_PREFIX: staff, API_PREFIX: api}
        self._public_wsgi = public.wsgi_app
        wsgi = logging_setup.RequestLog(self._dispatch, slow_seconds=logging_setup.slow_request_seconds(config))
        # Outermost: the proxy's X-Forwarded-Host is applied before the host is checked.
        self.wsgi = proxies.trusted_proxies(hosts.known_hosts(wsgi, config), config)
        public.wsgi_app = self
        public.site = self
        # The API's documentation page has the public layout, which links to the public pages.
        api.url_build_error_handlers.append(links_into(public))

    def app_for(self, path: str) -> Flask:
        for prefix, app in self.mounts.items():
            if _owns(prefix, path):
                return app
        return self.public

    def _dispatch(self, environ, start_response):
        app = self.app_for(environ.get("PATH_INFO", ""))
        if app is self.public:
            return self._public_wsgi(environ, start_response)
        return app(environ, start_response)

    def __call__(self, environ, start_response):
        return self.wsgi(environ, start_response)


def compose(public: Flask, staff: Flask, api: Flask, config: dict) -> Site:
    site = Site(public, staff, api, config)
    if config.get("DEVELOPMENT") and not config.get("TESTING"):
        public.logger.warning("Development mode (WIZARD_ENV=development): not for serving people.")
    return site
