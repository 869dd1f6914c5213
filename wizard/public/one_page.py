"""The one-page questionnaire: every question on one form, no cookie needed.

It changes nothing on the server, so its protection against cross-site
posting is a signed, time-limited token plus a same-origin check of the
browser's Origin header, neither of which needs a session cookie.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import Form
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

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
