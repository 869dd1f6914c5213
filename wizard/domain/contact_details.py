"""The contact details a person (or staff, for them) may leave: what each may hold, and how it is cleaned for storing.

Pure Python, shared by the public call-back form and the staff conversation guide.
Checks work in English message ids (translated where shown). Phone numbers are read
for the country the person chose (or in international form) and kept in E.164; email
addresses are checked for syntax only: no DNS lookups, which would both leak the
address and slow the page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from wizard.domain.messages import N_, Message

NAME_MAX = 80
MESSAGE_MAX = 500
PHONE_MAX = 40
EMAIL_MAX = 254
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

# The codes a request stores, with the words the person sees (message ids). Staff read
# their own wording for the same codes (wizard.staff.presenters).
BEST_TIMES = {
    "anytime": N_("Any time"),
    "morning": N_("Morning"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
}
YES_NO = {"yes": N_("Yes"), "no": N_("No")}
# A text message is often safer than a call for someone whose phone others may hear.
CONTACT_METHODS = {"call": N_("Phone call"), "text": N_("Text message"), "email": N_("Email")}
NEEDS_PHONE = ("call", "text")
# A language the service's pages are not in: the person names it in their message.
OTHER_LANGUAGE = "other"
OTHER_LANGUAGE_LABEL = N_("Other language (tell us in the message)")
FOR_WHOM_CHOICES = {"myself": N_("For me"), "someone_else": N_("For someone else")}
WHOSE_DETAILS = {
    "mine": N_("Mine: contact me"),
    "theirs": N_("Theirs: contact them (only if they have agreed)"),
}

# Characters that change how other text is shown (direction overrides and isolates) could
# make a name read differently in the staff console than it was typed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Whole sentences per field: word order and agreement differ between languages.
NAME_TOO_LONG = N_("Name must be 80 characters or fewer")
NAME_SPECIAL = N_("Remove special characters from the name")
MESSAGE_TOO_LONG = N_("Your message must be 500 characters or fewer")
MESSAGE_SPECIAL = N_("Remove special characters from your message")
NOT_A_PHONE = N_("Check the phone number: start it with + and the country code, like +44 7700 900123")
# Said for the country the number is read for, with a real example of its mobile numbers.
PHONE_DIGITS = N_(
    "Check the phone number: mobile numbers in %(country)s have %(digits)s digits, like %(example)s. "
    "You can also start with %(code)s."
)
PHONE_LOOKS_LIKE = N_(
    "Check the phone number: mobile numbers in %(country)s look like %(example)s. You can also start with %(code)s."
)
NEEDS_COUNTRY_CODE = N_("Enter the phone number with its country code, like +44 7700 900123")
NOT_AN_EMAIL = N_("Enter an email address in the right format, like name@example.com")


class ContactProblem(ValueError):
    """A value that cannot be stored, with the message id that tells the person how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message if isinstance(message, Message) else Message(message)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: Message


def trimmed(value: object) -> str:
    """A submitted value without surrounding spaces; anything that is not text counts as empty."""
    return value.strip() if isinstance(value, str) else ""


def _has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    refused = {"Cc", "Cs", "Co", "Cn"} if allow_newlines else {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
    return any(ch in BIDI_CONTROLS or (unicodedata.category(ch) in refused and ch not in allowed) for ch in text)


def _checked_text(value: object, limit: int, too_long: str, special: str, *, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", trimmed(value))
    if len(text) > limit:
        raise ContactProblem(too_long)
    if _has_control_characters(text, allow_newlines=multiline):
        raise ContactProblem(special)
    return text


def stored_name(value: object) -> str:
    """The name as stored (trimmed, NFC), or ContactProblem when it is too long or has special characters."""
    return _checked_text(value, NAME_MAX, NAME_TOO_LONG, NAME_SPECIAL)


def stored_message(value: object) -> str:
    """The message as stored (trimmed, NFC, line breaks kept), or ContactProblem."""
    return _checked_text(value, MESSAGE_MAX, MESSAGE_TOO_LONG, MESSAGE_SPECIAL, multiline=True)


def stored_phone(value: object, country: str | None) -> str:
    """The phone number in E.164, read for `country` (a two-letter code) when it has no country code."""
    number = trimmed(value)
    region = country if country and len(country) == 2 else None
    if len(number) > PHONE_MAX or _has_control_characters(number):
        raise ContactProblem(phone_hint(region))
    if region is None and number.startswith("00"):
        # 00 is the international prefix in most of the world; without a country it can only mean "+".
        number = "+" + number[2:]
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        if region is None and not number.startswith("+"):
            raise ContactProblem(NEEDS_COUNTRY_CODE)
        if parsed is not None and number.startswith("+"):
            # An international number is judged by its own country code, not the person's country.
            region = phonenumbers.region_code_for_country_code(parsed.country_code)
        raise ContactProblem(phone_hint(region))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_hint(region: str | None) -> Message:
    """What a phone number for `region` should look like, from phonenumbers' own example of a
    mobile number there (its digit count only where every mobile number there has the same)."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE) if region else None
    if example is None:
        return Message(NOT_A_PHONE)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    code = f"+{example.country_code}"
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    lengths = metadata.mobile.possible_length if metadata and metadata.mobile else ()
    if len(lengths) == 1:
        digits = str(sum(ch.isdigit() for ch in national))
        return Message(PHONE_DIGITS, country=region, digits=digits, example=national, code=code)
    return Message(PHONE_LOOKS_LIKE, country=region, example=national, code=code)


def stored_email(value: object) -> str:
    """The email address, normalised, when its syntax is right (nothing is looked up)."""
    address = trimmed(value)
    if len(address) > EMAIL_MAX or _has_control_characters(address):
        raise ContactProblem(NOT_AN_EMAIL)
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise ContactProblem(NOT_AN_EMAIL) from None
    return checked.normalized


def masked_phone(number: str) -> str:
    """The last 3 digits of a stored number: enough to catch a typo, too little to call."""
    return "".join(ch for ch in number if ch.isdigit())[-3:]


def masked_email(address: str) -> str:
    """An address with all but the first character of its local part hidden: j•••@example.org."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "•••"
    return f"{local[0]}•••@{domain}"


def format_phone(number: str) -> str:
    """A stored E.164 number, written the international way for staff to dial."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


def read_optional_contact(name: str, phone: str, email: str, *, country: str | None) -> tuple[dict, list[FieldError]]:
    """A name, phone number and email address that may each be left out, checked exactly as
    the call-back form checks them (staff use this when they record a conversation).
    Only what was given is returned."""
    details: dict = {}
    errors: list[FieldError] = []
    given = (
        ("name", name, stored_name),
        ("phone", phone, lambda value: stored_phone(value, country)),
        ("email", email, stored_email),
    )
    for field, value, clean in given:
        if not trimmed(value):
            continue
        try:
            details[field] = clean(value)
        except ContactProblem as problem:
            errors.append(FieldError(field, problem.message))
    return details, errors


def valid_form_key(value: object) -> bool:
    """Whether `value` can be the key a form carries so that sending it twice stores it once."""
    return isinstance(value, str) and bool(FORM_KEY.match(value))
