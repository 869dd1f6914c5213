"""Start page, safety pages, quick exit, and friendly error pages."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wizard.platform import i18n
from wizard.platform import quick_exit as exit_ids
from wizard.platform.security_headers import csrf
from wizard.platform.services import services
from wizard.public import answers as state
from wizard.public.nearby import nearby

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)


# Seconds a question takes, measured in the usability walk-through of 2026-12-02 (the start and
# check-answers pages shared out over the 12 questions): 5.7 minutes at a typical reading pace,
# 8.2 at a careful one.
TYPICAL_SECONDS_A_QUESTION = 28
CAREFUL_SECONDS_A_QUESTION = 41


@bp.get("/")
def start():
    """The start page says how many questions there are and how long they take, from the rules."""
    shortest, longest = state.journey().path_lengths
    fewest = max(1, round(shortest * TYPICAL_SECONDS_A_QUESTION / 60))
    most = max(fewest, round(longest * CAREFUL_SECONDS_A_QUESTION / 60))
    return render_template("pages/start.html", shortest=shortest, longest=longest, fewest=fewest, most=most)


@bp.get("/staying-safe-online")
def staying_safe():
    return render_template("pages/staying_safe.html")


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/approaches/<approach_id>")
def approach(approach_id: str):
    """One approach in full: what it is, evidence, cautions and sources (no answers needed)."""
    matcher = services().matcher
    found = matcher.approaches.get(approach_id)
    if found is None:
        abort(404)
    rulebook = services().rulebook
    walk = state.load_walk()
    finished = bool(walk.answers) and walk.complete and not walk.crisis
    back_url = url_for("results.results") if finished else url_for("pages.start")
    # A real next step at the end: with the person's answers, the same contacts as their results page.
    steps = nearby(matcher.match(walk.answers), walk.answers).get("steps") if finished else None
    return render_template(
        "pages/approach.html",
        a=found,
        documents={d.id: d for d in rulebook.documents},
        back_url=back_url,
        steps=steps,
    )


@bp.route("/help-now", methods=["GET", "POST"])
@csrf.exempt  # It stores nothing and changes nothing: a posted country only picks which public numbers to show.
def help_now():
    """Emergency numbers and crisis lines, written for who is in danger.

    The country comes from the answers, or from the country chosen on this page, which
    is posted (never in the address) and never stored. Without either, the browser's
    language region suggests one, also never stored.
    """
    matcher = services().matcher
    walk = state.load_walk()
    answers = walk.answers
    chosen = request.form.get("country", "") if request.method == "POST" else ""
    if chosen in matcher.countries:
        g.country = chosen
    known = chosen in matcher.countries or answers.get("country") in matcher.countries
    suggested = None if known else _country_from_browser(matcher)
    upcoming = walk.next_question
    continue_url = None
    if answers and walk.crisis:
        # Once safe, the person can carry on: the danger answer is theirs to change.
        continue_url = url_for("questions.question", question_id="danger", change="1")
    elif upcoming is not None and answers:
        continue_url = url_for("questions.question", question_id=upcoming.id)
    return render_template(
        "pages/help_now.html",
        continue_url=continue_url,
        # The one-page form's "Get help now" button posts its answers here; only the country and this are read.
        audience=request.form.get("who") or answers.get("who"),
        suggested=suggested,
        suggested_contacts=matcher.contacts.get(suggested) if suggested else None,
        country_choices=i18n.country_choices(),
        chosen=chosen if chosen in matcher.countries else "",
        in_crisis=bool(answers) and walk.crisis,
        first_aid=services().rulebook.safety_note("overdose-first-aid"),
    )


def _country_from_browser(matcher) -> str | None:
    """The region of the browser's preferred language ("pt-PT" -> PT), if we have its numbers."""
    for value, _quality in request.accept_languages:
        region = value.replace("_", "-").split("-")[1:2]
        code = region[0].upper() if region else ""
        if code in matcher.contacts:
            return code
    return None


@bp.get("/exit")
def quick_exit():
    """Leave at once: forget the answers and go somewhere neutral.

    In a partner's frame the link leaves the whole page, and that top-level request
    comes without the frame's partitioned cookie, so the session's exit id in the
    address is recorded as left: the cookie is refused if it is ever sent again
    (see quick_exit.py). With JavaScript the frame has already cleared it itself."""
    partner = g.get("partner")
    if partner is not None:
        # When the cookie does come (the frame's own request), a copy of it is refused too.
        for exit_id in {request.args.get("s"), session.get(exit_ids.EXIT_ID)}:
            exit_ids.record_left(exit_id)
    state.clear()
    response = redirect(partner.exit_url if partner else current_app.config["EXIT_URL"], 303)
    response.headers["Clear-Site-Data"] = '"cookies", "storage"'
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/cookies-off")
def cookies_off():
    return render_template("pages/cookies_off.html"), 200


def _error_page(status: int, title: str, message: str):
    return render_template("errors/public.html", title=title, message=message, status=status), status


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        if request.endpoint == "contact.reach_out":
            # A call-back form must not lose what the person typed: it comes back filled in.
            from wizard.public.views.reach_out import refilled_after_expiry

            had_cookie = bool(request.cookies)
            state.clear()
            return refilled_after_expiry(had_cookie)
        if not request.cookies:
            # No cookie came back at all: the browser refuses cookies.
            return redirect(url_for("pages.cookies_off"), 303)
        state.clear()
        return _error_page(
            400,
            _("Your answers were cleared"),
            _(
                "For your privacy, answers are forgotten after 30 minutes without activity, "
                "or if the page was open for too long. Please start again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        titles = {
            404: (_("Page not found"), _("If you typed the web address, check it is correct.")),
            405: (_("This page cannot be used that way"), _("Go back and try again, or start again.")),
            413: (
                _("That was too much information"),
                _("The form sent more data than this service accepts. Please try again."),
            ),
            429: (
                _("Please wait before sending this again"),
                _(
                    "This form has been sent several times from your connection in a short time. "
                    "To keep the service working for everyone, please wait a while and try again. "
                    "If you need help now, the helplines and emergency number on this page are always open to you."
                ),
            ),
        }
        default = (_("Something was wrong with that request"), _("Please go back and try again."))
        title, message = titles.get(error.code, default)
        return _error_page(error.code or 400, title, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # Outside development log the type only: an exception message could
        # quote a submitted value, and answers never go into logs.
        if current_app.config.get("DEVELOPMENT") or current_app.testing:
            log.error("unexpected error", exc_info=error)
        else:
            log.error("unexpected error: %s", type(error).__name__)
        return _error_page(500, _("Sorry, something went wrong"), _("Please try again in a moment."))
