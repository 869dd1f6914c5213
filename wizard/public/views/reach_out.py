"""Reach out: the operator's contact details, helplines, and the call-back request form."""

from __future__ import annotations

import logging
import secrets
from functools import lru_cache
from types import MappingProxyType

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest

from wizard.domain.contact_details import (
    BEST_TIMES,
    CONTACT_METHODS,
    FOR_WHOM_CHOICES,
    OTHER_LANGUAGE,
    OTHER_LANGUAGE_LABEL,
    WHOSE_DETAILS,
    YES_NO,
    masked_email,
    masked_phone,
    valid_form_key,
)
from wizard.domain.journey import Walk
from wizard.platform.i18n import language, spoken_language, spoken_languages, translate_rule_text
from wizard.platform.rate_limits import limiter
from wizard.platform.services import services
from wizard.public import answers as state
from wizard.public.callback_form import CallbackForm, strip_invisible_characters
from wizard.public.nearby import nearby
from wizard.storage.failures import classify

bp = Blueprint("contact", __name__)
log = logging.getLogger(__name__)

# The reference of the request this browser sent, to show on the confirmation page.
REFERENCE = "callback_reference"
# What the confirmation repeats of the request: the method, time and language codes, and the
# contact only masked ("ending 678"), so a typo can be caught without the cookie holding it.
CONFIRMATION = "callback_confirmation"
RETRY_AFTER_SECONDS = 5


def _result(walk: Walk):
    if walk.answers and walk.complete:
        return services().matcher.match(walk.answers)
    return None


def _summary(answers: dict, result) -> dict:
    """What staff see of the journey: answer codes and the approaches shown, not labels."""
    return {
        "answers": answers,
        "approaches": [match.approach.id for match in result.approaches] if result else [],
        "interface_language": language(),
    }


def _choices(options: dict) -> tuple[tuple[str, str], ...]:
    return tuple((code, translate_rule_text(label)) for code, label in options.items())


@lru_cache(maxsize=64)
def _form_choices(lang: str) -> MappingProxyType:
    """The form's choices in `lang` (the request's): the same for everyone, so made once per language
    rather than translated again on every reach-out page."""
    return MappingProxyType(
        {
            "best_times": _choices(BEST_TIMES),
            "contact_methods": _choices(CONTACT_METHODS),
            "yes_no": _choices(YES_NO),
            "for_whom_choices": _choices(FOR_WHOM_CHOICES),
            "whose_choices": _choices(WHOSE_DETAILS),
            "language_choices": (
                *spoken_languages().items(),
                (OTHER_LANGUAGE, translate_rule_text(OTHER_LANGUAGE_LABEL)),
            ),
        }
    )


def _form_context(form: CallbackForm, field_errors: dict) -> dict:
    return {"form": form, "field_errors": field_errors, **_form_choices(language())}


def _callback_rate_limit() -> str:
    return current_app.config["CALLBACK_RATE_LIMIT"]


def _stored(response) -> bool:
    """Only a request that was stored counts against the limit: a person pressing Send again
    during a database outage, or correcting a mistake, must not be locked out for an hour."""
    return response.status_code == 303


@bp.route("/reach-out", methods=["GET", "POST"])
@limiter.limit(_callback_rate_limit, methods=["POST"], deduct_when=_stored)
def reach_out():
    walk = state.load_walk()
    answers = dict(walk.answers)
    result = _result(walk)
    country = answers.get("country") if isinstance(answers.get("country"), str) else None
    # CSRF is checked for every POST by CSRFProtect before this view runs.
    form = CallbackForm(country=country)
    field_errors: dict[str, str] = {}
    status = 200
    if request.method == "GET":
        form.form_key.data = secrets.token_urlsafe(24)
        form.language.data = spoken_language(language())
        if answers.get("who") in FOR_WHOM_CHOICES:
            form.for_whom.data = answers["who"]
    else:
        if not valid_form_key(form.form_key.data):
            raise BadRequest()
        if form.validate():
            details = {**form.details(), "summary": _summary(answers, result)}
            partner = g.get("partner")
            try:
                reference, _new = services().callbacks.submit(
                    details, form_key=form.form_key.data, partner=partner.id if partner else None
                )
            except SQLAlchemyError as exc:
                field_errors["form"] = _storage_failed(exc)
                status = 503
            else:
                session[REFERENCE] = reference
                session[CONFIRMATION] = _confirmation(details)
                return redirect(url_for("contact.requested"), 303)
        for field, message in form.first_errors().items():
            field_errors.setdefault(field, translate_rule_text(message))
        strip_invisible_characters(form)
    page = _page(form, field_errors, answers, result)
    # A database outage is usually over in seconds: say so, rather than an hour (limits.py
    # keeps this value from being replaced by the rate limit's own reset time).
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {}
    return page, status, headers


def _page(form: CallbackForm, field_errors: dict, answers: dict, result, notice: str | None = None) -> str:
    page_errors = [{"href": f"#{_anchor(field)}", "message": message} for field, message in field_errors.items()]
    if notice:
        # At the top of the page too, where focus goes: the form itself is far below.
        page_errors.insert(0, {"href": "#callback-notice", "message": notice})
    return render_template(
        "pages/reach_out.html",
        result=result,
        **nearby(result, answers),
        errors=page_errors,
        previous_reference=session.get(REFERENCE),
        notice=notice,
        **_form_context(form, field_errors),
    )


def refilled_after_expiry(had_cookie: bool):
    """The form as the person filled it in, when its token could not be checked (the session
    expired, or no cookie came back): nothing is stored, the answers are already cleared, and
    a fresh token lets them check their details and press Send again."""
    # The posted form fields only: a body in any other format is not read (and not an error).
    form = CallbackForm(formdata=request.form)
    strip_invisible_characters(form)
    if not valid_form_key(form.form_key.data):
        form.form_key.data = secrets.token_urlsafe(24)
    if had_cookie:
        notice = _(
            "For your privacy we cleared your answers after 30 minutes. "
            "Your contact details are still here: check them and press Send again."
        )
    else:
        notice = _(
            "Your browser did not send back the cookie this form needs, so we could not send it. "
            "Your contact details are still here: check that cookies are turned on and press Send again."
        )
    return _page(form, {}, {}, None, notice=notice), 400


def _confirmation(details: dict) -> dict:
    method = details.get("contact_method")
    if method == "email" or "phone" not in details:
        contact = {"email": masked_email(details["email"])}
    else:
        contact = {"phone_ending": masked_phone(details["phone"])}
    return {
        "method": method,
        "best_time": details.get("best_time"),
        "language": details.get("language"),
        **contact,
    }


def _storage_failed(exc: SQLAlchemyError) -> str:
    """Log what an operator needs (the failure's kind and code), and say what the person should do."""
    failure = classify(exc)
    # The kind and code only: the exception's text could quote what the person wrote.
    log.error("call-back request not stored: %s (%s)", failure.kind, failure.code)
    if failure.maybe_written:
        # The form key makes sending again safe: a stored request is found, not stored twice.
        return _(
            "We could not confirm that your request was saved. "
            "Press “Send my request” again: it will not be sent twice."
        )
    return _("Your request could not be saved. Nothing was stored. Please try again.")


def _anchor(field: str) -> str:
    radios = {
        "contact_method": "call",
        "best_time": "anytime",
        "leave_message": "yes",
        "say_who": "yes",
        "for_whom": "myself",
    }
    if field == "language":
        return "callback-language-" + next(iter(spoken_languages()))
    if field == "whose_details":
        return "callback-whose_details-mine"
    if field == "form":
        return "callback-form"
    return f"callback-{field}" + (f"-{radios[field]}" if field in radios else "")


@bp.get("/reach-out/requested")
def requested():
    reference = session.get(REFERENCE)
    if not isinstance(reference, str):
        return redirect(url_for("contact.reach_out"), 303)
    confirmation = session.get(CONFIRMATION)
    confirmation = confirmation if isinstance(confirmation, dict) else {}
    return render_template(
        "pages/callback_requested.html",
        reference=reference,
        confirmation=confirmation,
        best_time=translate_rule_text(BEST_TIMES.get(confirmation.get("best_time"), "")),
        method=confirmation.get("method"),
    )
