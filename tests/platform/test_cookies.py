"""The session cookies: answers sealed, not just signed (L8); prefixed names outside development (L7)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from contextlib import suppress
from datetime import UTC, datetime
from unittest import mock
from uuid import UUID

import pytest
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner
from markupsafe import Markup

from tests.support.answers import FULL
from tests.support.journey import walk
from tests.support.pages import Browser
from wizard import create_app
from wizard.platform import cookie_seal
from wizard.platform.cookie_seal import SealedJSON
from wizard.platform.sessions import KeptKeySigner

PARTNER = "example"
HTTPS = "https://localhost"


def decodings(value: str) -> list[bytes]:
    """Everything an onlooker could get from a cookie value by base64 and zlib."""
    found = []
    for part in value.lstrip(".").split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            continue
        found.append(raw)
        with suppress(zlib.error):
            found.append(zlib.decompress(raw))
    return found


# --- L8: nothing in the cookie can be read --------------------------------------------------------


def test_the_answers_cannot_be_read_from_the_cookie(browser, client):
    walk(browser, FULL)
    value = client.get_cookie("wizard").value
    for text in [value.encode(), *decodings(value)]:
        for answer in ("opioids", "injects", "answers", "secular", "myself"):
            assert answer.encode() not in text
    # The server still reads it: the results are there.
    assert browser.get("/results").h1 == "Your next steps"


def test_the_embedded_cookie_is_sealed_too(browser, client):
    page = browser.get(f"/embed/{PARTNER}/questions")
    browser.answer(page, "myself")
    value = client.get_cookie("wizard_embed").value
    for text in [value.encode(), *decodings(value)]:
        assert b"myself" not in text and b"exit_id" not in text


def test_a_changed_cookie_is_refused_not_a_crash(browser, client):
    walk(browser, FULL)
    value = client.get_cookie("wizard").value
    middle = len(value) // 3
    changed = value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1 :]
    client.set_cookie("wizard", changed)
    page = browser.get("/results")
    assert page.status == 200
    assert browser.history[-1] == "/questions/who"


def test_a_readable_cookie_signed_with_the_right_key_is_refused(app, browser, client):
    """As Flask signed it before: valid signature, plain content. Only sealed content is read."""
    with app.test_request_context("/"):
        readable = SecureCookieSessionInterface().get_signing_serializer(app).dumps({"answers": FULL})
    client.set_cookie("wizard", readable)
    browser.get("/results")
    assert browser.history[-1] == "/questions/who"


def test_the_public_cookie_cannot_stand_in_for_the_embedded_one(browser, client):
    walk(browser, FULL)
    client.set_cookie("wizard_embed", client.get_cookie("wizard").value)
    response = client.get(f"/embed/{PARTNER}/questions")
    assert response.location == f"/embed/{PARTNER}/questions/who"


def test_a_cookie_sealed_under_the_previous_key_still_opens_during_a_key_change(app):
    browser = Browser(app.test_client())
    walk(browser, FULL)
    value = browser.client.get_cookie("wizard").value
    rotated = create_app({"TESTING": True, "SECRET_KEY": "new-secret", "SECRET_KEY_FALLBACKS": ["test-secret"]})
    after = Browser(rotated.test_client())
    after.client.set_cookie("wizard", value)
    assert after.get("/results").h1 == "Your next steps"
    without = Browser(create_app({"TESTING": True, "SECRET_KEY": "new-secret"}).test_client())
    without.client.set_cookie("wizard", value)
    without.get("/results")
    assert without.history[-1] == "/questions/who"


# --- L7: prefixed names outside development -------------------------------------------------------


@pytest.fixture
def production(tmp_path):
    # Production loads no example partner and refuses http origins: one https partner here.
    partners = tmp_path / "partners.yaml"
    partners.write_text(
        f"partners:\n  - id: {PARTNER}\n    name: Example\n    allowed_origins: ['https://partner.example.org']\n"
        "    exit_url: https://example.org/weather\n"
    )
    return create_app(
        {
            "PARTNERS_FILE": str(partners),
            "TESTING": True,
            "SECRET_KEY": "a-production-secret-of-32-characters-at-least",
            "DEVELOPMENT": False,
            "WIZARD_ENV": "production",
            "SESSION_COOKIE_SECURE": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cookies.sqlite3'}",
        }
    )


def set_cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert len(found) == 1, response.headers.getlist("Set-Cookie")
    return found[0]


def test_production_cookies_carry_host_and_secure_prefixes(production):
    client = production.test_client()
    public = set_cookie(client.get("/questions/who", base_url=HTTPS), "__Host-wizard")
    embedded = set_cookie(client.get(f"/embed/{PARTNER}/questions/who", base_url=HTTPS), "__Host-wizard_embed")
    staff = set_cookie(client.get("/staff/sign-in", base_url=HTTPS), "__Secure-wizard_staff")
    # __Host-: Secure, Path=/ and no Domain, or browsers refuse it.
    for header in (public, embedded):
        assert "Secure" in header and "Path=/;" in header + ";" and "Domain" not in header
    assert "Partitioned" in embedded and "SameSite=None" in embedded
    assert "Secure" in staff and "Path=/staff" in staff and "SameSite=Strict" in staff


def test_production_ignores_an_unprefixed_cookie_planted_beside_it(production):
    """Cookie tossing: a sibling host or a plain-HTTP page can set `wizard`, never `__Host-wizard`."""
    with production.test_request_context("/", base_url=HTTPS):
        value = production.session_interface.get_signing_serializer(production).dumps({"answers": {"who": "myself"}})
    honest = production.test_client()
    honest.set_cookie("__Host-wizard", value, secure=True)
    assert honest.get("/questions", base_url=HTTPS).location == "/questions/country"
    planted = production.test_client()
    planted.set_cookie("wizard", value, secure=True)
    assert planted.get("/questions", base_url=HTTPS).location == "/questions/who"


def test_development_keeps_the_bare_names(client):
    assert set_cookie(client.get("/questions/who"), "wizard")
    assert set_cookie(client.get(f"/embed/{PARTNER}/questions/who"), "wizard_embed")
    assert set_cookie(client.get("/staff/sign-in"), "wizard_staff")


# --- the sealed JSON: plain values quickly, Flask's tagged ones as before ----------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"answers": {**FULL, "count": 3, "share": 0.5, "done": True, "none": None}, "lang": "pt", "csrf_token": "ab"},
        {"errors": {"town": ["Choose “%(text)s”", {"text": 'a " quote and \\ slash'}]}},
        {"kept": ("a", "tuple")},
        {"markup": Markup("<b>bold</b>")},
        {"bytes": b"\x00\xff"},
        {"when": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)},
        {"id": UUID("12345678-1234-5678-1234-567812345678")},
        {" t": ["looks like a tag"]},
        {"nested": [{" di": {"x": 1}}]},
    ],
)
def test_sealed_session_values_come_back_as_they_went_in(app, value):
    sealer = SealedJSON(["a-secret"], b"public")
    with app.app_context():
        assert sealer.loads(sealer.dumps(value)) == value
        # The text sealed is Flask's own session JSON, whichever way it was written.
        assert cookie_seal._dumps(value) == TaggedJSONSerializer().dumps(value)


def test_kept_signers_sign_as_itsdangerous_does_with_sha1_in_openssl():
    """The cookie's and the CSRF tokens' signers use hashlib's SHA-1 for the wrapped default, and a
    signature made either way is the same and checks either way."""
    kept = KeptKeySigner("a-secret", salt="cookie-session", key_derivation="hmac")
    plain = TimestampSigner("a-secret", salt="cookie-session", key_derivation="hmac")
    assert kept.digest_method is hashlib.sha1 and plain.digest_method is not hashlib.sha1
    with mock.patch("itsdangerous.timed.time.time", return_value=1_800_000_000):
        signed = kept.sign(b"value")
        assert signed == plain.sign(b"value")
    assert plain.unsign(signed) == kept.unsign(signed) == b"value"
