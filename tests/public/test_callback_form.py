"""Checking each field of the call-back form, outside any web request."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support.callbacks import read_callback
from wizard.domain.contact_details import format_phone
from wizard.platform.i18n import LANGUAGES

VALID = {
    "name": "  Sam  ",
    "phone": "+44 7911 123456",
    "email": "",
    "contact_method": "call",
    "best_time": "morning",
    "language": "en",
    "leave_message": "no",
    "say_who": "yes",
    "for_whom": "myself",
    "whose_details": None,
    "message": "",
    "consent": True,
    "website": "",
}


def form(**changes):
    values = {**VALID, **changes}
    return SimpleNamespace(**{name: SimpleNamespace(data=value) for name, value in values.items()})


def read(country=None, **changes):
    return read_callback(form(**changes), country=country, languages=LANGUAGES)


def test_valid_details_are_cleaned():
    details, errors = read()
    assert errors == []
    assert details["name"] == "Sam"
    assert details["phone"] == "+447911123456"
    assert "email" not in details
    assert "whose_details" not in details


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("GB", "07911 123456", "+447911123456"),
        ("BR", "(11) 91234-5678", "+5511912345678"),
        ("FR", "06 12 34 56 78", "+33612345678"),
        (None, "0044 7911 123456", "+447911123456"),
        ("GB", "+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_phone_numbers_are_read_for_the_country(country, typed, stored):
    details, errors = read(country=country, phone=typed)
    assert errors == []
    assert details["phone"] == stored


def test_without_a_country_a_national_number_asks_for_the_country_code():
    _details, errors = read(phone="07911 123456")
    assert [e.message for e in errors] == ["Enter the phone number with its country code, like +44 7700 900123"]


def test_a_country_the_person_preferred_not_to_give_is_not_a_region():
    _details, errors = read(country="prefer_not_to_say", phone="07911 123456")
    assert errors and errors[0].field == "phone"


def test_email_syntax_only_no_lookups():
    details, errors = read(phone="", email="person@no-such-domain-zq9.org", contact_method="email")
    assert errors == [] and details["email"] == "person@no-such-domain-zq9.org"
    _details, errors = read(phone="", email="person@@example.org", contact_method="email")
    assert errors[0].field == "email"


def test_the_message_keeps_new_lines_but_not_other_control_characters():
    details, errors = read(message="one\r\ntwo")
    assert errors == [] and details["message"] == "one\r\ntwo"
    _details, errors = read(message="one\x00two")
    assert [e.field for e in errors] == ["message"]


def test_consent_must_be_exactly_ticked():
    for value in (False, None, "y", "true"):
        _details, errors = read(consent=value)
        assert [e.field for e in errors] == ["consent"]


def test_every_error_in_form_order():
    _details, errors = read(name="", phone="", best_time="x", consent=False, website="spam", for_whom="someone_else")
    assert [e.field for e in errors] == ["name", "phone", "best_time", "whose_details", "consent", "website"]


def test_phone_numbers_are_shown_to_staff_in_international_form():
    assert format_phone("+447911123456") == "+44 7911 123456"
    assert format_phone("not a number") == "not a number"


@pytest.mark.parametrize("trick", ["\u202e", "\u2066", "\u2028", "\u2029"])
def test_a_name_cannot_carry_characters_that_change_how_it_is_shown(trick):
    _details, errors = read(name=f"Sam{trick}evil")
    assert [e.message for e in errors] == ["Remove special characters from the name"]


def test_scripts_that_join_letters_are_kept():
    # Zero-width joiners shape Persian and Arabic names, and emoji sequences.
    details, errors = read(name="می\u200cخواهم 👩\u200d👩\u200d👧")
    assert errors == [] and "\u200c" in details["name"]
