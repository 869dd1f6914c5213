"""The call-back request form: what a person may send, and how each field is checked.

Validation works in English message ids (translated where shown). Phone numbers
are read for the country the person chose (or in international form) and kept
in E.164; email addresses are checked for syntax only: no DNS lookups, which
would both leak the address and slow the page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField

from wizard.domain.messages import N_, Message

NAME_MAX = 80
MESSAGE_MAX = 500
PHONE_MAX = 40
EMAIL_MAX = 254
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

BEST_TIMES = {
    "anytime": N_("Any time"),
    "morning": N_("Morning"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
}
YES_NO = {"yes": N_("Yes"), "no": N_("No")}
FOR_WHOM = {"myself": N_("For me"), "someone_else": N_("For someone else")}
WHOSE_DETAILS = {
    "mine": N_("Mine: contact me"),
    "theirs": N_("Theirs: contact them (only if they have agreed)"),
}


class CallbackForm(FlaskForm):
    # Choices are checked in `read_callback` with our own messages; WTForms only carries the values.
    class Meta:
        locales = False

    name = StringField()
    phone = StringField()
    email = StringField()
    best_time = RadioField(choices=list(BEST_TIMES), validate_choice=False)
    language = RadioField(validate_choice=False)
    leave_message = RadioField(choices=list(YES_NO), validate_choice=False)
    say_who = RadioField(choices=list(YES_NO), validate_choice=False)
    for_whom = RadioField(choices=list(FOR_WHOM), validate_choice=False)
    whose_details = RadioField(choices=list(WHOSE_DETAILS), validate_choice=False)
    message = TextAreaField()
    consent = BooleanField()
    form_key = HiddenField()
    # Left empty by people (it is hidden from them); form-filling scripts fill it in.
    website = StringField()


@dataclass(frozen=True)
class FieldError:
    field: str
    message: Message


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# Characters that change how other text is shown (direction overrides and isolates) could
# make a name read differently in the staff console than it was typed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    refused = {"Cc", "Cs", "Co", "Cn"} if allow_newlines else {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
    return any(ch in BIDI_CONTROLS or (unicodedata.category(ch) in refused and ch not in allowed) for ch in text)


# Whole sentences per field: word order and agreement differ between languages.
TEXT_LIMITS = {
    "name": (NAME_MAX, N_("Name must be 80 characters or fewer"), N_("Remove special characters from the name")),
    "message": (
        MESSAGE_MAX,
        N_("Your message must be 500 characters or fewer"),
        N_("Remove special characters from your message"),
    ),
}


def _check_text(field: str, value: str, *, multiline: bool = False) -> FieldError | None:
    limit, too_long, control = TEXT_LIMITS[field]
    if len(value) > limit:
        return FieldError(field, Message(too_long))
    if _has_control_characters(value, allow_newlines=multiline):
        return FieldError(field, Message(control))
    return None


def format_phone(number: str) -> str:
    """A stored E.164 number, written the international way for staff to dial."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


def _check_phone(value: str, country: str | None) -> tuple[str, FieldError | None]:
    if len(value) > PHONE_MAX or _has_control_characters(value):
        return "", FieldError("phone", Message(N_("Enter a real phone number")))
    region = country if country and len(country) == 2 else None
    if region is None and value.startswith("00"):
        # 00 is the international prefix in most of the world; without a country it can only mean "+".
        value = "+" + value[2:]
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        if region is None and not value.startswith("+"):
            return "", FieldError(
                "phone", Message(N_("Enter the phone number with its country code, like +44 7700 900123"))
            )
        return "", FieldError("phone", Message(N_("Enter a real phone number")))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def _check_email(value: str) -> tuple[str, FieldError | None]:
    if len(value) > EMAIL_MAX or _has_control_characters(value):
        return "", FieldError("email", Message(N_("Enter an email address in the right format, like name@example.com")))
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return "", FieldError("email", Message(N_("Enter an email address in the right format, like name@example.com")))
    return checked.normalized, None


def read_callback(form: CallbackForm, *, country: str | None, languages: dict) -> tuple[dict, list[FieldError]]:
    """The details to store, or the errors to show, in the order of the form."""
    errors: list[FieldError] = []
    details: dict = {}

    name = unicodedata.normalize("NFC", _text(form.name.data))
    if not name:
        errors.append(FieldError("name", Message(N_("Enter a name or nickname we can ask for"))))
    elif error := _check_text("name", name):
        errors.append(error)
    details["name"] = name

    phone, email = _text(form.phone.data), _text(form.email.data)
    if not phone and not email:
        errors.append(FieldError("phone", Message(N_("Enter a phone number or an email address, or both"))))
    _read_phone_and_email(phone, email, country, details, errors)

    choices = (
        ("best_time", BEST_TIMES, N_("Select the best time to contact you")),
        ("language", languages, N_("Select the language you would like us to use")),
        ("leave_message", YES_NO, N_("Select whether it is safe to leave a message")),
        ("say_who", YES_NO, N_("Select whether we can say who is calling")),
        ("for_whom", FOR_WHOM, N_("Select who the help is for")),
    )
    for field, allowed, message in choices:
        value = getattr(form, field).data
        if value not in allowed:
            errors.append(FieldError(field, Message(message)))
        else:
            details[field] = value
    if details.get("for_whom") == "someone_else":
        whose = form.whose_details.data
        if whose not in WHOSE_DETAILS:
            errors.append(FieldError("whose_details", Message(N_("Select whose contact details these are"))))
        else:
            details["whose_details"] = whose

    text = unicodedata.normalize("NFC", _text(form.message.data))
    if error := _check_text("message", text, multiline=True):
        errors.append(error)
    details["message"] = text

    if form.consent.data is not True:
        errors.append(FieldError("consent", Message(N_("Tick the box to agree that we may store your request"))))
    if _text(form.website.data):
        errors.append(FieldError("website", Message(N_("Leave the last field empty"))))
    return details, errors


def read_optional_contact(name: str, phone: str, email: str, *, country: str | None) -> tuple[dict, list[FieldError]]:
    """A name, phone number and email address that may each be left out, checked exactly as
    the call-back form checks them (staff use this when they record a conversation).
    Only what was given is returned."""
    details: dict = {}
    errors: list[FieldError] = []
    name = unicodedata.normalize("NFC", _text(name))
    if name:
        if error := _check_text("name", name):
            errors.append(error)
        details["name"] = name
    _read_phone_and_email(_text(phone), _text(email), country, details, errors)
    return details, errors


def _read_phone_and_email(phone: str, email: str, country: str | None, details: dict, errors: list) -> None:
    """Check whichever of the two was given; put the cleaned value in `details`, any problem in `errors`."""
    if phone:
        details["phone"], error = _check_phone(phone, country)
        if error:
            errors.append(error)
    if email:
        details["email"], error = _check_email(email)
        if error:
            errors.append(error)


def displayable(form: CallbackForm) -> None:
    """Drop control characters and lone surrogates from what is shown back in the form:
    the person sees what they typed, and the page stays valid HTML."""
    for field in (form.name, form.phone, form.email, form.message):
        value = field.data if isinstance(field.data, str) else ""
        keep = {"\n"} if field is form.message else set()
        field.data = "".join(
            ch
            for ch in value.replace("\r\n", "\n")
            if ch in keep or unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Cn"}
        )


def valid_form_key(value: object) -> bool:
    return isinstance(value, str) and bool(FORM_KEY.match(value))
