"""The call-back request form: its fields, each with the checks that give the person a message to act on.

Every check carries its own English message id (translated where shown). What a value
may hold, and how it is cleaned for storing, is in wizard.domain.contact_details, which
the staff conversation guide shares; the validators here only apply it to the form.
The six small validator classes have no WTForms equivalent that reads the field's data
(Optional reads the raw input; laa-access writes its ValidateIf the same way).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, StopValidation, ValidationError

from wizard.domain.contact_details import (
    BEST_TIMES,
    CONTACT_METHODS,
    FOR_WHOM_CHOICES,
    NEEDS_PHONE,
    OTHER_LANGUAGE,
    WHOSE_DETAILS,
    YES_NO,
    ContactProblem,
    stored_email,
    stored_message,
    stored_name,
    stored_phone,
    trimmed,
)
from wizard.domain.messages import N_
from wizard.platform.i18n import spoken_languages


class RequiredWithout:
    """The field is required when `other` is empty, and may be left empty when `other` is given."""

    def __init__(self, other: str, message: str) -> None:
        self.other = other
        self.message = message

    def __call__(self, form, field) -> None:
        if trimmed(field.data):
            return
        field.errors[:] = []
        raise StopValidation(None if trimmed(form[self.other].data) else self.message)


class NeededFor:
    """An empty field the chosen contact method needs (a text message needs a phone number)."""

    def __init__(self, methods: tuple[str, ...], message: str) -> None:
        self.methods = methods
        self.message = message

    def __call__(self, form, field) -> None:
        if not trimmed(field.data) and form.contact_method.data in self.methods:
            raise StopValidation(self.message)


class MayBeLeftEmpty:
    """An empty field is not checked further (RequiredWithout on the other field asks for one of the two)."""

    def __call__(self, form, field) -> None:
        if not trimmed(field.data):
            field.errors[:] = []
            raise StopValidation()


class ValidateIf:
    """The field is checked only when `other` holds `value`; otherwise it is not asked for."""

    def __init__(self, other: str, value: str) -> None:
        self.other = other
        self.value = value

    def __call__(self, form, field) -> None:
        if form[self.other].data != self.value:
            field.errors[:] = []
            raise StopValidation()


class Ticked:
    """The box must be ticked: exactly True, as only a ticked checkbox gives."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is not True:
            raise StopValidation(self.message)


class LeftEmpty:
    """The field must be empty (a trap only form-filling scripts fill in)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if trimmed(field.data):
            raise ValidationError(self.message)


def _storable(clean: Callable[..., str], *args: object) -> None:
    """Turn the domain's ContactProblem into the field's error."""
    try:
        clean(*args)
    except ContactProblem as problem:
        raise ValidationError(problem.message) from None


class CallbackForm(FlaskForm):
    """The fields in the order of the page, which is also the order of the error summary."""

    class Meta:
        # CSRFProtect checks every POST before the view runs, and every message here is our own
        # message id, so the form needs neither a token field nor WTForms' catalogues (nor an app).
        csrf = False

        def get_translations(self, form):
            return None

    name = StringField(validators=[DataRequired(message=N_("Enter a name or nickname we can ask for"))])
    contact_method = RadioField(
        validate_choice=False,
        validators=[AnyOf(CONTACT_METHODS, message=N_("Select how you would like us to contact you"))],
    )
    phone = StringField(
        validators=[
            NeededFor(NEEDS_PHONE, N_("Enter a phone number for a call or a text message, or choose email")),
            RequiredWithout("email", message=N_("Enter a phone number or an email address, or both")),
        ]
    )
    email = StringField(
        validators=[
            NeededFor(("email",), N_("Enter an email address, or choose a phone call or a text message")),
            MayBeLeftEmpty(),
        ]
    )
    # `validate_choice=False`: AnyOf checks each choice, with a message that says what to do.
    best_time = RadioField(
        validate_choice=False, validators=[AnyOf(BEST_TIMES, message=N_("Select the best time to contact you"))]
    )
    language = RadioField(
        validate_choice=False,
        validators=[
            AnyOf([*spoken_languages(), OTHER_LANGUAGE], message=N_("Select the language you would like us to use"))
        ],
    )
    leave_message = RadioField(
        validate_choice=False, validators=[AnyOf(YES_NO, message=N_("Select whether it is safe to leave a message"))]
    )
    say_who = RadioField(
        validate_choice=False,
        validators=[AnyOf(YES_NO, message=N_("Select whether we can say where we are calling from"))],
    )
    for_whom = RadioField(
        validate_choice=False, validators=[AnyOf(FOR_WHOM_CHOICES, message=N_("Select who the help is for"))]
    )
    whose_details = RadioField(
        validate_choice=False,
        validators=[
            ValidateIf("for_whom", "someone_else"),
            AnyOf(WHOSE_DETAILS, message=N_("Select whose contact details these are")),
        ],
    )
    message = TextAreaField()
    consent = BooleanField(validators=[Ticked(N_("Tick the box to agree that we may store your request"))])
    form_key = HiddenField()
    # Left empty by people (it is hidden from them); form-filling scripts fill it in.
    website = StringField(validators=[LeftEmpty(N_("Leave the last field empty"))])

    def __init__(self, *args, country: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The country from the person's answers: a phone number without a country code is read for it.
        self.country = country

    def validate_name(self, field) -> None:
        _storable(stored_name, field.data)

    def validate_phone(self, field) -> None:
        _storable(stored_phone, field.data, self.country)

    def validate_email(self, field) -> None:
        _storable(stored_email, field.data)

    def validate_message(self, field) -> None:
        _storable(stored_message, field.data)

    def first_errors(self) -> dict[str, str]:
        """Each field's first error (a message id), in the order of the form."""
        return {field: messages[0] for field, messages in self.errors.items()}

    def details(self) -> dict:
        """The details to store, cleaned; only for a form that passed `validate()`."""
        details: dict = {"name": stored_name(self.name.data)}
        if trimmed(self.phone.data):
            details["phone"] = stored_phone(self.phone.data, self.country)
        if trimmed(self.email.data):
            details["email"] = stored_email(self.email.data)
        for field in ("contact_method", "best_time", "language", "leave_message", "say_who", "for_whom"):
            details[field] = self[field].data
        if details["for_whom"] == "someone_else":
            details["whose_details"] = self.whose_details.data
        details["message"] = stored_message(self.message.data)
        return details


def strip_invisible_characters(form: CallbackForm) -> None:
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
