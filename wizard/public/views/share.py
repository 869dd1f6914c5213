"""Share links and the printable "My options" plan.

A share link holds only answer codes, sealed so that nobody can read or change them
(see wizard/domain/share_codes.py), and nothing is stored on the server. Opening one shows the
results for those answers without writing them into the visitor's own session: the
crisis line and helplines follow the shared answers through ``g.country`` only.
"""

from __future__ import annotations

import datetime as dt

import segno
from flask import Blueprint, current_app, g, redirect, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from wizard.domain.journey import Answers
from wizard.domain.share_codes import LIFETIME_DAYS, ShareError, make_code, read_code
from wizard.platform.services import services
from wizard.public import answers as state
from wizard.public.views.results import render_results

bp = Blueprint("share", __name__)

# The plan is one printed page: the first few approaches, then contacts and space to write.
PLAN_APPROACHES = 3


@bp.app_context_processor
def _lifetime() -> dict:
    # How long a link works, for every page that explains links (privacy included).
    return {"share_days": LIFETIME_DAYS}


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def new_code(answers: Answers) -> str:
    """A fresh share code for these answers (a new one each time; each works for 30 days)."""
    return make_code(state.journey(), answers, _secret())


def _session_answers() -> Answers | None:
    """The visitor's own answers, if they lead to results (as the results page requires)."""
    journey = state.journey()
    answers = state.load_answers()
    if not journey.is_complete(answers) or journey.in_crisis(answers):
        return None
    return answers


def _link_problem(reason: str):
    if reason == "expired":
        title = _("This link has expired")
        message = _(
            "Links to results work for %(days)s days, so that answers are not kept for long. "
            "Ask the person who shared it for a new link, or answer the questions yourself.",
            days=LIFETIME_DAYS,
        )
        status = 410
    else:
        title = _("This link does not work")
        message = _(
            "It may have been copied only in part, or changed. "
            "Ask the person who shared it to send it again, or answer the questions yourself."
        )
        status = 400
    return render_template("error.html", title=title, message=message), status


def _shared_answers(code: str) -> tuple[Answers | None, object]:
    """The answers in a code, or the page that explains why the link cannot be used."""
    journey = state.journey()
    try:
        answers = read_code(journey, code, _secret())
    except ShareError as error:
        return None, _link_problem(error.reason)
    if not journey.is_complete(answers):
        # Sealed by us, but no longer a whole set of answers (a country left the rules, say).
        return None, _link_problem("invalid")
    # Every page shows the crisis line for the answers' country; the session is not touched.
    g.country = answers.get("country")
    return answers, None


@bp.get("/results/share")
def share():
    answers = _session_answers()
    if answers is None:
        return redirect(url_for("questions.begin"), 303)
    code = new_code(answers)
    return render_template(
        "share.html",
        link=url_for("share.shared", code=code, _external=True),
        plan_url=url_for("share.plan"),
        back_url=url_for("results.results"),
    )


@bp.get("/shared/<code>")
def shared(code: str):
    answers, problem = _shared_answers(code)
    if answers is None:
        return problem
    result = services().matcher.match(answers)
    return render_results(result, answers, one_page=False, shared_code=code)


@bp.get("/plan")
def plan():
    answers = _session_answers()
    if answers is None:
        return redirect(url_for("questions.begin"), 303)
    return _plan(answers, new_code(answers), back_url=url_for("results.results"))


@bp.get("/shared/<code>/plan")
def shared_plan(code: str):
    # The staff console links here (with ?lang=xx) to print a handout in the person's language.
    answers, problem = _shared_answers(code)
    if answers is None:
        return problem
    return _plan(answers, code, back_url=url_for("share.shared", code=code))


def _plan(answers: Answers, code: str, back_url: str):
    result = services().matcher.match(answers)
    link = url_for("share.shared", code=code, _external=True)
    return render_template(
        "plan.html",
        result=result,
        approaches=result.approaches[:PLAN_APPROACHES],
        more=max(len(result.approaches) - PLAN_APPROACHES, 0),
        link=link,
        link_path=url_for("share.shared", code=code),
        qr=qr_svg(link, _("QR code of the link to these results")),
        made=dt.date.today(),
        back_url=back_url,
    )


def qr_svg(text: str, label: str) -> Markup:
    """A QR code as inline SVG: no style attributes (the CSP forbids them), with an accessible name."""
    svg = segno.make_qr(text, error="m").svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, dark="#000", light="#fff"
    )
    # segno writes only the path data; the label is escaped here. (No <title>: the label is the name.)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # noqa: S704
