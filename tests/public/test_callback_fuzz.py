"""The call-back form against hostile and odd input, property-based.

Whatever arrives (long text, control characters, NUL, lone surrogates, invalid
UTF-8, emoji, right-to-left text, duplicated or missing fields, forged option
codes, oversized bodies) the answer is the form again with an error summary,
the confirmation, 400 or 413: never a server error. And whatever is stored is
clean: the staff console and anything exporting requests can trust it.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from urllib.parse import quote_from_bytes

import phonenumbers
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wizard.domain.contact_details import (
    BEST_TIMES,
    EMAIL_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    WHOSE_DETAILS,
    YES_NO,
)
from wizard.domain.contact_details import FOR_WHOM_CHOICES as FOR_WHOM
from wizard.platform.i18n import LANGUAGES

FORM = "application/x-www-form-urlencoded"
FIELDS = (
    "csrf_token",
    "form_key",
    "name",
    "phone",
    "email",
    "best_time",
    "language",
    "leave_message",
    "say_who",
    "for_whom",
    "whose_details",
    "message",
    "consent",
    "website",
)
STORED_KEYS = {
    "name",
    "phone",
    "email",
    "best_time",
    "language",
    "leave_message",
    "say_who",
    "for_whom",
    "whose_details",
    "message",
    "summary",
}
FORBIDDEN = {"Cc", "Cs", "Co", "Cn"}
REFERENCE = re.compile(r'<strong class="reference"><bdi dir="ltr">([0-9A-Z]{4}-[0-9A-Z]{4})</bdi></strong>')


class Sentinel(str):
    """Stands for a value only known when the request is made."""


CSRF = Sentinel("<csrf>")
NEW_FORM_KEY = Sentinel("<form key>")


pytestmark = pytest.mark.app_settings(database=True, CALLBACK_RATE_LIMIT="100000 per hour")


# --- values -----------------------------------------------------------------------------

awkward_characters = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(min_codepoint=0, max_codepoint=0x1F),  # C0 controls, NUL included
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),  # DEL and C1 controls
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.sampled_from(["\u202e", "\u200f", "\u2066", "\u2028", "\u2029", "\ufeff", "\u200d", "\ufffd", "\U0010fffe"]),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),  # Hebrew, Arabic
)
awkward_text = st.one_of(
    st.text(awkward_characters, max_size=40),
    st.text(awkward_characters, min_size=NAME_MAX - 5, max_size=MESSAGE_MAX + 40),
    st.text(st.sampled_from("a \t\n\r\x00"), max_size=20),
)
# Percent-encoded or sent as they are: invalid UTF-8 either way.
raw_bytes = st.binary(max_size=120)

good_names = st.one_of(
    st.sampled_from(["Sam", "  Ana María  ", "محمد", "יוסי", "Zoë 🌱", "Nguyễn Thị", "e\u0301milie", "李小龍"]),
    st.text(st.characters(categories=["L", "M", "N", "Zs", "Pd", "So"]), min_size=1, max_size=NAME_MAX),
)
good_phones = st.sampled_from(
    [
        "+44 7911 123456",
        "+447911123456",
        "0044 7911 123456",
        "+44 (0)7911-123456",
        "+٤٤ ٧٩١١ ١٢٣٤٥٦",
        "",
        "+1 202 555 0143",
    ]
)
good_emails = st.sampled_from(["", "person@example.org", "  Person.Name+tag@Example.ORG ", "ana@correo.es"])
good_messages = st.one_of(
    st.sampled_from(["", "Please call after six.\r\nThanks", "مرحبا\n🌱", "tab\tseparated"]),
    st.text(st.characters(categories=["L", "M", "N", "Zs", "P", "S"], include_characters="\n"), max_size=MESSAGE_MAX),
)
GOOD = {
    "csrf_token": st.just(CSRF),
    "form_key": st.just(NEW_FORM_KEY),
    "name": good_names,
    "phone": good_phones,
    "email": good_emails,
    "best_time": st.sampled_from(list(BEST_TIMES)),
    "language": st.sampled_from(list(LANGUAGES)),
    "leave_message": st.sampled_from(list(YES_NO)),
    "say_who": st.sampled_from(list(YES_NO)),
    "for_whom": st.sampled_from(list(FOR_WHOM)),
    "whose_details": st.sampled_from(list(WHOSE_DETAILS)),
    "message": good_messages,
    "consent": st.just("y"),
    "website": st.just(""),
}
forged_codes = st.sampled_from(
    ["", "ANYTIME", "anytime ", " yes", "1", "true", "__proto__", "en-GB", "xx", "<script>", "mine\x00", "yes\u200b"]
)
bad_values = st.one_of(awkward_text, forged_codes, raw_bytes, st.just("n"), st.just(CSRF))


@st.composite
def submissions(draw) -> list[tuple[str, str | bytes]]:
    """Mostly good forms with a few fields broken, so both outcomes are explored."""
    broken = draw(st.sets(st.sampled_from(FIELDS), max_size=4))
    pairs: list[tuple[str, str | bytes]] = []
    for field in FIELDS:
        if field not in broken:
            pairs.append((field, draw(GOOD[field])))
            continue
        how = draw(st.sampled_from(["missing", "bad", "duplicated", "good then bad", "bad then good"]))
        if how == "bad":
            pairs.append((field, draw(bad_values)))
        elif how == "duplicated":
            pairs.extend((field, draw(st.one_of(GOOD[field], bad_values))) for _ in range(draw(st.integers(2, 4))))
        elif how == "good then bad":
            pairs.extend([(field, draw(GOOD[field])), (field, draw(bad_values))])
        elif how == "bad then good":
            pairs.extend([(field, draw(bad_values)), (field, draw(GOOD[field]))])
    if draw(st.booleans()):
        pairs.append((draw(st.sampled_from(["unknown", "name[]", "", "csrf_token "])), draw(bad_values)))
    return draw(st.permutations(pairs))


def encode(pairs, csrf: str, *, raw: bool = False) -> bytes:
    """An urlencoded body built by hand: werkzeug's encoder would refuse surrogates and bytes."""
    parts = []
    for key, value in pairs:
        if value is CSRF:
            value = csrf
        elif value is NEW_FORM_KEY:
            # A new key each time: a repeated key would return the first stored request.
            value = secrets.token_urlsafe(24)
        data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        if raw and isinstance(value, bytes):
            # Unescaped, as a broken client might send it; '&' and '=' inside split it further.
            parts.append(key.encode() + b"=" + data)
        else:
            parts.append(quote_from_bytes(key.encode()).encode() + b"=" + quote_from_bytes(data, safe="").encode())
    return b"&".join(parts)


def fresh_client(app):
    client = app.test_client()
    page = client.get("/reach-out")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    return client, token.group(1)


# --- checks -----------------------------------------------------------------------------


def clean(text: str, *, allowed: str = "") -> bool:
    return all(unicodedata.category(ch) not in FORBIDDEN or ch in allowed for ch in text)


def assert_clean(details: dict) -> None:
    assert set(details) <= STORED_KEYS, set(details) - STORED_KEYS
    name = details["name"]
    assert isinstance(name, str)
    assert 0 < len(name) <= NAME_MAX
    assert name == name.strip()
    assert clean(name)
    assert unicodedata.is_normalized("NFC", name)

    assert details.get("phone") or details.get("email")
    if "phone" in details:
        phone = details["phone"]
        assert re.fullmatch(r"\+[1-9][0-9]{6,14}", phone), phone
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
    if "email" in details:
        email = details["email"]
        assert 0 < len(email) <= EMAIL_MAX
        assert clean(email)
        assert email == email.strip()
        assert email.count("@") == 1

    assert details["best_time"] in BEST_TIMES
    assert details["language"] in LANGUAGES
    assert details["leave_message"] in YES_NO
    assert details["say_who"] in YES_NO
    assert details["for_whom"] in FOR_WHOM
    if details["for_whom"] == "someone_else":
        assert details["whose_details"] in WHOSE_DETAILS
    else:
        assert "whose_details" not in details

    message = details["message"]
    assert len(message) <= MESSAGE_MAX
    # Line breaks (and tabs) are what a textarea sends; nothing else invisible.
    assert clean(message, allowed="\n\r\t")
    assert message == message.strip()
    assert unicodedata.is_normalized("NFC", message)


def check_response(app, client, response) -> None:
    status = response.status_code
    assert status in (200, 303, 400, 413), f"unexpected {status}"
    if status == 200:
        assert 'id="error-summary"' in response.get_data(as_text=True)
    if status != 303:
        return
    assert response.location.endswith("/reach-out/requested")
    page = client.get(response.location)
    assert page.status_code == 200
    reference = REFERENCE.search(page.get_data(as_text=True))
    assert reference
    stored = app.extensions["services"].callbacks.get(reference.group(1))
    assert stored is not None
    assert_clean(stored.details)


def post(client, body: bytes, content_type: str = FORM):
    return client.post("/reach-out", data=body, content_type=content_type)


# --- properties -------------------------------------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    # The examples of one test share its app on purpose: each uses a fresh client and form key,
    # and counts only its own request.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)


@FUZZ
@given(pairs=submissions(), raw=st.booleans())
def test_any_form_gets_a_proper_answer_and_stores_only_clean_values(app, pairs, raw):
    client, csrf = fresh_client(app)
    callbacks = app.extensions["services"].callbacks
    before = callbacks.count()
    response = post(client, encode(pairs, csrf, raw=raw))
    check_response(app, client, response)
    event(f"status {response.status_code}")
    assert callbacks.count() == before + (1 if response.status_code == 303 else 0)


@settings(FUZZ, max_examples=40)
@given(junk=st.binary(max_size=3000))
def test_a_body_of_random_bytes_is_refused_cleanly(app, junk):
    # With and without a valid token in front, so the junk reaches the form too. A new client
    # each time: a refused token clears the session, and the next request would then be
    # sent to the "cookies are off" page.
    for with_token in (False, True):
        client, csrf = fresh_client(app)
        head = f"csrf_token={csrf}&form_key={secrets.token_urlsafe(24)}&".encode() if with_token else b""
        check_response(app, client, post(client, head + junk))


@pytest.mark.parametrize("size", [32 * 1024 + 1, 100_000, 2_000_000])
def test_a_body_over_the_size_limit_is_refused_with_413(app, size):
    client, csrf = fresh_client(app)
    head = f"csrf_token={csrf}&form_key={secrets.token_urlsafe(24)}&name=Sam&phone=%2B447911123456&message=".encode()
    response = post(client, head + b"a" * (size - len(head)))
    assert response.status_code == 413
    assert app.config["MAX_CONTENT_LENGTH"] < size


def test_thousands_of_fields_are_refused_cleanly(app):
    client, csrf = fresh_client(app)
    body = f"csrf_token={csrf}&form_key={secrets.token_urlsafe(24)}&".encode() + b"&".join(
        b"name=x" for _ in range(3000)
    )
    check_response(app, client, post(client, body))


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/json",
        "text/plain",
        FORM + "; charset=latin-1",
    ],
)
def test_odd_content_types_are_refused_cleanly(app, content_type):
    client, csrf = fresh_client(app)
    body = f"csrf_token={csrf}&form_key={secrets.token_urlsafe(24)}&name=Sam&phone=%2B447911123456".encode()
    check_response(app, client, post(client, body, content_type))
