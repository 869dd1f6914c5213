"""The staff console app, at /staff (on the console's own host when STAFF_HOST is set).

Its cookie is the strict, signed `wizard_staff` (see platform/sessions.py); its pages are in
English only; its error pages are the console's own.
"""

from __future__ import annotations

from flask import Flask

from wizard import staff
from wizard.platform import hosts, i18n
from wizard.platform.services import Services
from wizard.platform.sessions import StaffSessionInterface
from wizard.platform.site import new_app
from wizard.staff import errors


def create_staff_app(config: dict, shared: Services) -> Flask:
    app = new_app(__name__, config, shared, locale_selector=i18n.english_only)
    app.session_interface = StaffSessionInterface()
    staff.init_app(app)
    errors.init_app(app)
    hosts.init_app(app, console=True)
    return app
