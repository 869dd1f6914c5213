"""Which signed session cookie a request uses: public, embedded or staff.

The public journey and the staff console never share a cookie. Under /staff the
cookie is `wizard_staff` with Path=/staff and SameSite=Strict, so it is never sent
to the public pages or from another site, and the public `wizard` cookie (answers)
is never read or written there. The staff cookie holds only a random session
token and the CSRF token; the session itself lives in the database (see
wizard/staff/accounts.py), which decides the 30-minute idle limit.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

STAFF_PREFIX = "/staff"


def is_staff_path(path: str) -> bool:
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


class WizardSessionInterface(SecureCookieSessionInterface):
    """Inside a partner's frame the session cookie is a third-party cookie. Browsers that
    block those still keep a *partitioned* cookie (CHIPS): one jar per top-level site,
    so it cannot follow the person across sites. It must be SameSite=None and Secure."""

    EMBED_COOKIE = "wizard_embed"
    STAFF_COOKIE = "wizard_staff"
    # The server-side session decides the idle limit. The signature may outlive it so
    # that an idle session is recognised and the person told why they must sign in again.
    STAFF_SIGNATURE_AGE = timedelta(hours=12)

    @staticmethod
    def _embedded() -> bool:
        return has_request_context() and request.path.startswith("/embed/")

    @staticmethod
    def _staff() -> bool:
        return has_request_context() and is_staff_path(request.path)

    def get_cookie_name(self, app: Flask) -> str:
        if self._staff():
            return self.STAFF_COOKIE
        return self.EMBED_COOKIE if self._embedded() else super().get_cookie_name(app)

    def get_cookie_path(self, app: Flask) -> str:
        return STAFF_PREFIX if self._staff() else super().get_cookie_path(app)

    def get_cookie_samesite(self, app: Flask):
        if self._staff():
            return "Strict"
        return "None" if self._embedded() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        if self._staff():
            # Only a developer's own machine may send it over plain HTTP.
            return not app.config.get("DEVELOPMENT", False) or super().get_cookie_secure(app)
        return True if self._embedded() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        if self._staff():
            return False
        return True if self._embedded() else super().get_cookie_partitioned(app)

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True if self._staff() else super().get_cookie_httponly(app)

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        if not self._staff():
            return self._open_public(app, serializer)
        value = request.cookies.get(self.STAFF_COOKIE)
        if not value:
            return self.session_class()
        try:
            data = serializer.loads(value, max_age=int(self.STAFF_SIGNATURE_AGE.total_seconds()))
        except BadSignature:
            return self.session_class()
        return self.session_class(data)

    def _open_public(self, app: Flask, serializer) -> SecureCookieSession:
        """As Flask does, and also remember when the cookie was signed (see state.keep_alive)."""
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds()), return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session
