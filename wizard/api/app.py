"""The JSON API app, at /api/v1: no session and no cookies at all, RFC 9457 problems for every
error (its own 404s and 405s too), and CORS for partners' origins.

It takes JSON, never a form riding on a cookie, so it has no CSRF token to check.
"""

from __future__ import annotations

from flask import Flask

from wizard.api import views
from wizard.platform import hosts, i18n, quick_exit
from wizard.platform.services import Services
from wizard.platform.sessions import NoCookies
from wizard.platform.site import new_app


def create_api_app(config: dict, shared: Services) -> Flask:
    app = new_app(
        __name__,
        config,
        shared,
        locale_selector=i18n.select_locale_without_cookie,
        forms=False,
        rate_headers_on_every_response=True,
    )
    app.session_interface = NoCookies()
    # The documentation page has the site's layout, with its "Leave this site" link.
    quick_exit.init_app(app)
    views.init_app(app)
    hosts.init_app(app)
    return app
