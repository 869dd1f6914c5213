"""The session cookie of each app: public (embedded in a partner's frame), staff, and none for the API.

The public journey and the staff console never share a cookie. Under /staff the
cookie is `wizard_staff` with Path=/staff (Path=/ on its own STAFF_HOST) and SameSite=Strict, so it is never sent
to the public pages or from another site, and the public `wizard` cookie (answers)
is never read or written there. The staff cookie holds only a random session
token and the CSRF token; the session itself lives in the database (see
wizard/storage/staff_accounts/sessions.py), which decides the 30-minute idle limit.

The public and embedded cookies hold the answers: their content is sealed (see
cookie_seal.py), so it cannot be read, only used by this server. The staff
cookie is signed only; it holds nothing but a random token.

Outside development the names carry the browser's cookie prefixes: `__Host-wizard`
and `__Host-wizard_embed` (Secure, Path=/, no Domain: no other host, subdomain or
plain-HTTP page can set or shadow them) and `__Secure-wizard_staff` (it keeps
Path=/staff), or `__Host-wizard_staff` at Path=/ when the console has its own
STAFF_HOST. Development serves plain HTTP, where prefixed cookies are refused,
so it keeps the bare names.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from functools import lru_cache

import flask.sessions
import itsdangerous.signer
from flask import Flask, has_request_context, request
from flask.globals import _cv_request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionInterface
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from werkzeug.sansio.utils import host_is_trusted

from wizard.platform import quick_exit
from wizard.platform.cookie_seal import SealedJSON

STAFF_PREFIX = "/staff"
# The partner's frame, inside the public app. The session is opened before the URL is matched
# (Flask does it in that order), so the path is what tells the embed's cookie from the site's.
EMBED_PREFIX = "/embed/"
log = logging.getLogger(__name__)


# Flask's and itsdangerous's default digest: SHA-1, through a Python function (so that a build without
# SHA-1 fails only on use), which makes the standard library's HMAC take its slower pure-Python path.
# Private names: a release without them keeps its own digest, which signs the same, only slower.
_WRAPPED_SHA1 = frozenset(
    wrapper
    for wrapper in (getattr(flask.sessions, "_lazy_sha1", None), getattr(itsdangerous.signer, "_lazy_sha1", None))
    if wrapper is not None
)


class KeptKeySigner(TimestampSigner):
    """itsdangerous derives the signing key from the secret again for every signature and every check;
    the secret does not change while the process runs, so it is derived once per secret and salt.

    The default digest, SHA-1 behind a wrapper, is given as hashlib's own SHA-1, so that HMAC runs in
    OpenSSL: the same signatures, made and checked with less work (two on every page)."""

    def __init__(self, *args, digest_method=None, **kwargs):
        if digest_method is None or digest_method in _WRAPPED_SHA1:
            digest_method = hashlib.sha1
        super().__init__(*args, digest_method=digest_method, **kwargs)

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        return _derived_key(key, self.salt, self.key_derivation, self.digest_method)


@lru_cache(maxsize=16)
def _derived_key(secret_key: bytes, salt: bytes, key_derivation: str, digest_method) -> bytes:
    signer = TimestampSigner(secret_key, salt=salt, key_derivation=key_derivation, digest_method=digest_method)
    return signer.derive_key()


class KeptSignerSerializer(URLSafeTimedSerializer):
    """itsdangerous's serializer, whose signer (for each salt) is made once rather than for every signature
    and every check: a signer keeps no state between uses, and making one was a tenth of a cookie's check."""

    default_signer = KeptKeySigner

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._signers: dict[str | bytes, TimestampSigner] = {}

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        salt = self.salt if salt is None else salt
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer


@lru_cache(maxsize=8)
def kept_serializer(secret_key: str | bytes, salt: str) -> KeptSignerSerializer:
    """The serializer itsdangerous would make for this key and salt, made once (Flask-WTF's CSRF tokens)."""
    return KeptSignerSerializer(secret_key, salt=salt)


class SealedCookieSerializer(KeptSignerSerializer):
    """itsdangerous gives bytes for a serializer that makes bytes; a cookie value is text."""

    def dumps(self, obj, salt: str | bytes | None = None) -> str:
        value = super().dumps(obj, salt)
        return value.decode("ascii") if isinstance(value, bytes) else value

    def dump_payload(self, obj) -> bytes:
        # Sealed bytes look random and never shrink, so itsdangerous's attempt to zlib them is skipped.
        # Reading is unchanged: a payload without the leading "." is taken as not compressed.
        return base64_encode(self.serializer.dumps(obj, **self.serializer_kwargs))


@lru_cache(maxsize=8)
def _sealed_serializer(
    secret_key: str | bytes, fallbacks: tuple, kind: bytes, salt: str, key_derivation: str, digest_method
) -> SealedCookieSerializer:
    """Made once per set of keys and kind of cookie rather than twice a request (making one seals a test
    value); it keeps no state between uses."""
    return SealedCookieSerializer(
        [*fallbacks, secret_key],  # as Flask does: itsdangerous signs with the last key
        salt=salt,
        serializer=SealedJSON([secret_key, *fallbacks], kind),
        signer_kwargs={"key_derivation": key_derivation, "digest_method": digest_method},
    )


class _PrefixedCookie(SecureCookieSessionInterface):
    def _prefixed(self, app: Flask, name: str) -> str:
        """The name with the strongest prefix the cookie qualifies for (none in development)."""
        if app.config.get("DEVELOPMENT", False) or not self.get_cookie_secure(app):
            return name
        if self.get_cookie_path(app) == "/" and not self.get_cookie_domain(app):
            return "__Host-" + name
        return "__Secure-" + name


class PublicSessionInterface(_PrefixedCookie):
    """The answers, sealed. Inside a partner's frame the session cookie is a third-party cookie. Browsers that
    block those still keep a *partitioned* cookie (CHIPS): one jar per top-level site,
    so it cannot follow the person across sites. It must be SameSite=None and Secure."""

    EMBED_COOKIE = "wizard_embed"

    @staticmethod
    def _embedded() -> bool:
        # Asked five times a page and a dozen when the cookie is written: read through the context
        # variable behind `request`, once, rather than through the proxy after has_request_context().
        context = _cv_request.get(None)
        return context is not None and context.request.path.startswith(EMBED_PREFIX)

    def get_cookie_name(self, app: Flask) -> str:
        name = self.EMBED_COOKIE if self._embedded() else super().get_cookie_name(app)
        return self._prefixed(app, name)

    def get_cookie_samesite(self, app: Flask):
        return "None" if self._embedded() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if self._embedded() else super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return True if self._embedded() else super().get_cookie_partitioned(app)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Sealed, then signed with a timestamp."""
        if not app.secret_key:
            return super().get_signing_serializer(app)
        fallbacks = tuple(app.config.get("SECRET_KEY_FALLBACKS") or ())
        kind = b"embed" if self._embedded() else b"public"
        return _sealed_serializer(app.secret_key, fallbacks, kind, self.salt, self.key_derivation, self.digest_method)

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        """As Flask does, and also remember when the cookie was signed (see state.keep_alive).

        A cookie that is forged, changed, too old, or whose embedded session has
        left (see quick_exit.py) opens an empty session, and is deleted."""
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds()), return_timestamp=True
            )
        except BadData:
            return self._refused()
        if not isinstance(data, dict) or (self._embedded() and self._has_left(data)):
            return self._refused()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session

    @staticmethod
    def _has_left(data: dict) -> bool:
        try:
            return quick_exit.has_left(data.get(quick_exit.EXIT_ID))
        except quick_exit.StorageUnavailable as exc:
            # Fail closed: if it cannot be known that this session did not leave, it is
            # treated as if it did. The answers are lost; they are never shown to the wrong person.
            log.warning("quick exit: cannot read the list of sessions that left (%s); answers not used", exc)
            return True

    def _refused(self) -> SecureCookieSession:
        # Empty and modified: Flask deletes the cookie in the response.
        session = self.session_class()
        session.modified = True
        return session

    def save_session(self, app: Flask, session, response) -> None:
        if self._embedded() and session and quick_exit.EXIT_ID not in session:
            # Every embedded session gets its exit id as soon as it holds anything.
            quick_exit.ensure_id(session)
        if not self.should_set_cookie(app, session):
            # Nothing to write, as on most pages (the cookie is signed again at most once a minute): what
            # Flask does then, without first working out every attribute of a cookie it will not send.
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class StaffSessionInterface(_PrefixedCookie):
    """The console's cookie: signed only (it holds a random token and the CSRF token), SameSite=Strict,
    HttpOnly, at Path=/staff, or host-only at Path=/ on the console's own STAFF_HOST."""

    STAFF_COOKIE = "wizard_staff"
    # The server-side session decides the idle limit. The signature may outlive it so
    # that an idle session is recognised and the person told why they must sign in again.
    STAFF_SIGNATURE_AGE = timedelta(hours=12)

    def get_cookie_name(self, app: Flask) -> str:
        return self._prefixed(app, self.STAFF_COOKIE)

    @staticmethod
    def _on_staff_host(app: Flask) -> bool:
        """The console on its own host (STAFF_HOST): the whole host is the console's, so its
        cookie can be host-only at Path=/, which gives it the stronger __Host- prefix."""
        staff_hosts = app.extensions.get("staff_hosts", ())
        return bool(staff_hosts) and has_request_context() and host_is_trusted(request.host, staff_hosts)

    def get_cookie_path(self, app: Flask) -> str:
        return "/" if self._on_staff_host(app) else STAFF_PREFIX

    def get_cookie_samesite(self, app: Flask):
        return "Strict"

    def get_cookie_secure(self, app: Flask) -> bool:
        # Only a developer's own machine may send it over plain HTTP.
        return not app.config.get("DEVELOPMENT", False) or super().get_cookie_secure(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return False

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data = serializer.loads(value, max_age=int(self.STAFF_SIGNATURE_AGE.total_seconds()))
        except BadData:
            return self.session_class()
        return self.session_class(data)


class NoCookies(SessionInterface):
    """The API's: no session is read or written, so no cookie is ever set or looked at."""

    def open_session(self, app: Flask, request) -> None:
        return None  # Flask then uses a null session, which it never saves

    def save_session(self, app: Flask, session, response) -> None:
        return None
