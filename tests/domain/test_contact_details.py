"""The contact-detail checks the call-back form and the staff guide share, without any form."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support.callbacks import read_callback
from wizard.domain.contact_details import (
    NOT_A_PHONE,
    PHONE_DIGITS,
    PHONE_LOOKS_LIKE,
    ContactProblem,
    masked_email,
    masked_phone,
    read_optional_contact,
    stored_email,
    stored_message,
    stored_name,
    stored_phone,
)
from wizard.platform.i18n import LANGUAGES


def test_each_value_is_stored_cleaned():
    assert stored_name("  Zoe\u0308  ") == "Zoë"
    assert stored_message("  one\r\ntwo  ") == "one\r\ntwo"
    assert stored_phone(" 07911 123456 ", "GB") == "+447911123456"
    assert stored_email(" Person@Example.ORG ") == "Person@example.org"


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (stored_name, "x" * 81, "Name must be 80 characters or fewer"),
        (stored_name, "Sam\u202e", "Remove special characters from the name"),
        (stored_message, "x" * 501, "Your message must be 500 characters or fewer"),
        (stored_message, "a\x00b", "Remove special characters from your message"),
        (stored_email, "a@@b.org", "Enter an email address in the right format, like name@example.com"),
        (
            lambda value: stored_phone(value, None),
            "07911 123456",
            "Enter the phone number with its country code, like +44 7700 900123",
        ),
        (lambda value: stored_phone(value, "GB"), "+44 12", PHONE_DIGITS),
        (lambda value: stored_phone(value, None), "+999 12", NOT_A_PHONE),
    ],
)
def test_a_value_that_cannot_be_stored_says_how_to_fix_it(check, value, message):
    with pytest.raises(ContactProblem) as problem:
        check(value)
    assert problem.value.message == message
    # A message id the web layer translates, and the staff console shows in English.
    if not problem.value.message.params:
        assert problem.value.message.english() == message


def test_staff_may_leave_out_any_contact_detail():
    assert read_optional_contact("", " ", "", country="GB") == ({}, [])
    details, errors = read_optional_contact(" Sam ", "", "sam@example.org", country="GB")
    assert errors == [] and details == {"name": "Sam", "email": "sam@example.org"}
    _details, errors = read_optional_contact("Sam", "12", "nope", country=None)
    assert [e.field for e in errors] == ["phone", "email"]


def _values(**changes):
    values = {
        "name": "Sam",
        "phone": "",
        "email": "sam@example.org",
        "contact_method": "email",
        "best_time": "anytime",
        "language": "en",
        "leave_message": "yes",
        "say_who": "yes",
        "for_whom": "myself",
        "whose_details": "not a choice",
        "message": "",
        "consent": True,
        "website": "",
        **changes,
    }
    return SimpleNamespace(**{name: SimpleNamespace(data=value) for name, value in values.items()})


def test_whose_details_are_asked_for_only_when_the_help_is_for_someone_else():
    details, errors = read_callback(_values(), country=None, languages=LANGUAGES)
    assert errors == [] and "whose_details" not in details
    _details, errors = read_callback(_values(for_whom="someone_else"), country=None, languages=LANGUAGES)
    assert [(e.field, e.message) for e in errors] == [("whose_details", "Select whose contact details these are")]


def test_an_email_address_alone_is_enough_and_a_phone_number_alone_too():
    assert read_callback(_values(), country=None, languages=LANGUAGES)[1] == []
    details, errors = read_callback(
        _values(email="", phone="+44 7911 123456", contact_method="text"), country=None, languages=LANGUAGES
    )
    assert errors == [] and details["phone"] == "+447911123456" and "email" not in details


def test_a_portuguese_mobile_number_one_digit_short_says_how_many_digits_and_shows_one():
    for typed, country in (("91234567", "PT"), ("+351 91234567", None), ("+351 91234567", "GB")):
        with pytest.raises(ContactProblem) as problem:
            stored_phone(typed, country)
        assert problem.value.message.english() == (
            "Check the phone number: mobile numbers in Portugal have 9 digits, like 912 345 678. "
            "You can also start with +351."
        )


def test_where_mobile_numbers_differ_in_length_only_an_example_is_given():
    with pytest.raises(ContactProblem) as problem:
        stored_phone("0151 1234", "DE")
    assert problem.value.message == PHONE_LOOKS_LIKE
    assert problem.value.message.params["code"] == "+49"


def test_without_a_country_the_number_needs_its_country_code():
    with pytest.raises(ContactProblem) as problem:
        stored_phone("91234567", None)
    assert "+44 7700 900123" in problem.value.message


def test_contact_details_are_masked_for_the_confirmation():
    assert masked_phone("+351912345678") == "678"
    assert masked_email("jane.doe@example.org") == "j•••@example.org"
    assert masked_email("broken") == "•••"
