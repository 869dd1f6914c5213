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

from wizard.domain.journey import Answers, Walk
from wizard.domain.share_codes import LIFETIME_DAYS, ShareError, make_code, read_code
from wizard.platform.services import services
from wizard.public import answers as state
from wizard.public.nearby import nearby
from wizard.public.views.results import render_results

bp = Blueprint("share", __name__)

# The plan is one printed page: the first few approaches, then contacts and space to write.
PLAN_APPROACHES = 3


@bp.record_once
def _lifetime(state) -> None:
    # How long a link works, for every page that explains links (privacy included): a constant, so a
    # template global rather than a context processor called for every page.
    state.app.jinja_env.globals["share_days"] = LIFETIME_DAYS


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def new_code(answers: Answers) -> str:
    """A fresh share code for these answers (a new one each time; each works for 30 days)."""
    return make_code(state.journey(), answers, _secret())


def _session_answers() -> Answers | None:
    """The visitor's own answers, if they lead to results (as the results page requires)."""
    walk = state.load_walk()
    if not walk.complete or walk.crisis:
        return None
    return dict(walk.answers)


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
    return render_template("errors/public.html", title=title, message=message), status


def _shared_walk(code: str) -> tuple[Walk | None, object]:
    """The walk of the answers in a code, or the page that explains why the link cannot be used."""
    try:
        walk = read_code(state.journey(), code, _secret())
    except ShareError as error:
        return None, _link_problem(error.reason)
    if not walk.complete:
        # Sealed by us, but no longer a whole set of answers (a country left the rules, say).
        return None, _link_problem("invalid")
    # Every page shows the crisis line for the answers' country; the session is not touched.
    g.country = walk.answers.get("country")
    return walk, None


@bp.get("/results/share")
def share():
    answers = _session_answers()
    if answers is None:
        return redirect(url_for("questions.begin"), 303)
    code = new_code(answers)
    return render_template(
        "pages/share.html",
        link=url_for("share.shared", code=code, _external=True),
        plan_url=url_for("share.plan"),
        back_url=url_for("results.results"),
    )


@bp.get("/shared/<code>")
def shared(code: str):
    walk, problem = _shared_walk(code)
    if walk is None:
        return problem
    result = services().matcher.match(walk.answers)
    return render_results(result, walk, one_page=False, shared_code=code)


@bp.get("/plan")
def plan():
    answers = _session_answers()
    if answers is None:
        return redirect(url_for("questions.begin"), 303)
    return _plan(answers, new_code(answers), back_url=url_for("results.results"))


@bp.get("/shared/<code>/plan")
def shared_plan(code: str):
    # The staff console links here (with ?lang=xx) to print a handout in the person's language.
    walk, problem = _shared_walk(code)
    if walk is None:
        return problem
    return _plan(walk.answers, code, back_url=url_for("share.shared", code=code))


def _plan(answers: Answers, code: str, back_url: str):
    result = services().matcher.match(answers)
    link = url_for("share.shared", code=code, _external=True)
    return render_template(
        "pages/plan.html",
        result=result,
        **nearby(result, answers),
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
