"""The one-page questionnaire: every question on one form, no cookie needed.

It changes nothing on the server, so its protection against cross-site
posting is a signed, time-limited token plus a same-origin check of the
browser's Origin header, neither of which needs a session cookie.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

from wizard.domain.journey import Answers, Journey

TOKEN_MAX_AGE = 4 * 60 * 60


class _SignedToken(CSRF):
    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="one-page-form")

    def generate_csrf_token(self, csrf_token_field) -> str:
        return self._serializer().dumps("one-page")

    # WTForms turns only ValidationError into a form error; anything else would be a 500.
    def validate_csrf_token(self, form, field) -> None:
        origin = request.headers.get("Origin")
        if origin and origin != request.host_url.rstrip("/"):
            raise ValidationError("The form was sent from another site.")
        try:
            self._serializer().loads(field.data or "", max_age=TOKEN_MAX_AGE)
        except BadData as exc:
            raise ValidationError("The form has expired.") from exc


class OnePageForm(Form):
    class Meta:
        csrf = True
        csrf_class = _SignedToken
        csrf_field_name = "csrf_token"


def read_one_page(journey: Journey, form: MultiDict) -> tuple[Answers, list[dict]]:
    """Validate every question on the path that the submitted answers make."""
    audience = "someone_else" if form.get("who") == "someone_else" else "myself"
    answers: Answers = {}
    errors: list[dict] = []
    for question in journey.questions:
        if question.ask_if is not None and not question.ask_if.test(journey.matcher.facts(answers)):
            continue
        value, error = journey.validate(question, form.getlist(question.id), audience)
        if error:
            choices = journey.choices(question, audience)
            anchor = f"{question.id}-input" if question.kind == "country" else f"{question.id}-{choices[0].code}"
            errors.append({"href": "#" + anchor, "question": question, "error": error})
        else:
            answers[question.id] = value
    return answers, errors
