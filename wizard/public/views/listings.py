""" "Report a problem with this listing": closed, wrong number, wrong details or other, and an
optional note. Nothing about the person is asked or kept.

The listing's id travels in the form's body, never in the address: which service someone looked
at says where they are.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from wizard.domain.messages import N_
from wizard.platform.i18n import translate_rule_text
from wizard.platform.rate_limits import limiter
from wizard.platform.services import services
from wizard.storage.directory import NOTE_LIMIT
from wizard.storage.failures import classify

bp = Blueprint("listings", __name__)
log = logging.getLogger(__name__)

KIND_LABELS = {
    "closed": N_("It has closed"),
    "wrong_number": N_("The phone number is wrong"),
    "wrong_details": N_("Other details are wrong (address, hours, website, what it offers)"),
    "other": N_("Something else"),
}

REPORT_RATE_LIMIT = "10 per hour; 30 per day"


class ReportForm(FlaskForm):
    service = HiddenField(validators=[DataRequired(), Length(max=64)])
    # `validate_choice=False`: AnyOf checks the choice, with a message that says what to do.
    kind = RadioField(
        validate_choice=False,
        validators=[AnyOf(KIND_LABELS, message=N_("Select what is wrong with this listing"))],
    )
    note = TextAreaField(validators=[Length(max=NOTE_LIMIT, message=N_("Keep the note under 1,000 characters"))])


def _listing(service_id: str | None):
    if not service_id or len(service_id) > 64:
        return None
    stored = services().directory.store.get(service_id)
    return stored.listing if stored else None


def _page(form: ReportForm, listing, errors: list, status: int = 200):
    return render_template(
        "pages/report_listing.html",
        form=form,
        listing=listing,
        kinds=[(code, translate_rule_text(label)) for code, label in KIND_LABELS.items()],
        errors=errors,
    ), status


@bp.post("/report-a-listing")
@limiter.limit(REPORT_RATE_LIMIT, deduct_when=lambda response: response.status_code == 200 and "step" in request.form)
def report():
    """The listing's button opens the form (no kind yet); the form sends the report. A database that
    cannot be reached says so (503, nothing stored), never "no such listing" or an error page."""
    try:
        return _report(ReportForm())
    except SQLAlchemyError as exc:
        failure = classify(exc)
        log.warning("listing report not stored: %s (%s)", failure.kind, failure.code)
        return render_template("pages/report_listing_unavailable.html"), 503, {"Retry-After": "5"}


def _report(form: ReportForm):
    listing = _listing(form.service.data)
    if listing is None:
        return render_template("pages/report_listing_gone.html"), 404
    # The listing's button sends only its id; the form itself also sends `step`.
    if "step" not in request.form:
        return _page(form, listing, [])
    if not form.validate():
        errors = [
            {"href": f"#{name}" if name != "kind" else "#kind-closed", "message": translate_rule_text(messages[0])}
            for name, messages in form.errors.items()
            if name in ("kind", "note")
        ]
        if not errors:
            errors = [{"href": "#kind-closed", "message": _("This form is out of date. Please try again.")}]
        return _page(form, listing, errors, 400)
    services().directory.store.report_problem(listing.id, kind=form.kind.data, note=form.note.data or "")
    return render_template("pages/report_listing_sent.html", listing=listing)
