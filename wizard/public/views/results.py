"""Results, "start again", and the one-page version of the questionnaire."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from wizard.domain.journey import PICK, TownChoices, Walk, town_text_of
from wizard.domain.matching import Result
from wizard.domain.share_codes import make_code
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY
from wizard.platform import i18n
from wizard.platform.security_headers import csrf
from wizard.platform.services import services
from wizard.public import answers as state
from wizard.public.nearby import nearby
from wizard.public.one_page import OnePageForm

bp = Blueprint("results", __name__)


def render_results(result: Result, walk: Walk, *, one_page: bool, shared_code: str | None = None) -> str:
    """The results page: the visitor's own, from the one-page form, or opened from a share link."""
    journey, answers, audience = walk.journey, walk.answers, walk.audience
    # (question, answer) pairs as plain text, the labels joined here: the template's join filter looked
    # at every label for markup, on every page.
    summaries = i18n.question_summaries(journey)
    summary = [
        (summaries[q.id], ", ".join(i18n.answer_labels(journey, q, answers.get(q.id), audience))) for q in walk.path
    ]
    documents, approach_names = _tables(services().rulebook)
    # The one-page version keeps no answers anywhere: its link and plan come from a share code.
    code = shared_code
    if code is None and one_page and not walk.crisis:
        code = make_code(journey, answers, current_app.config["SECRET_KEY"])
    return render_template(
        "pages/results.html",
        result=result,
        **nearby(result, answers),
        change_place_url=_change_place_url(walk) if not one_page and shared_code is None else None,
        documents=documents,
        approach_names=approach_names,
        answers_summary=summary,
        one_page=one_page,
        shared=shared_code is not None,
        share_code=code,
        share_link=url_for("share.shared", code=code, _external=True) if code and one_page else None,
    )


# The rules' look-up tables the page reads, made once for the loaded rules (they never change in a process).
_tables_made: tuple[object, dict, dict] | None = None


def _tables(rulebook) -> tuple[dict, dict]:
    """Documents by id and approach names by id, for `rulebook`."""
    global _tables_made
    if _tables_made is None or _tables_made[0] is not rulebook:
        _tables_made = (
            rulebook,
            {d.id: d for d in rulebook.documents},
            {a.id: a.name for a in rulebook.approaches},
        )
    return _tables_made[1], _tables_made[2]


def _change_place_url(walk: Walk) -> str | None:
    """The first place question on this person's path (the region, or the town where a country has
    no regions), opened to change it and come back."""
    for question in walk.path:
        if question.kind in ("subdivision", "town"):
            return url_for("questions.question", question_id=question.id, change="1")
    return None


@bp.get("/results")
def results():
    walk = state.load_walk()
    if not walk.complete or walk.crisis:
        return redirect(url_for("questions.begin"), 303)
    result = services().matcher.match(walk.answers)
    return render_results(result, walk, one_page=False)


@bp.post("/start-again")
def start_again():
    state.clear()
    return redirect(url_for("pages.start"), 303)


@bp.route("/all-questions", methods=["GET", "POST"])
@csrf.exempt  # checked by OnePageForm instead, which needs no cookie
def one_page():
    journey = state.journey()
    form = OnePageForm(request.form if request.method == "POST" else None)
    reading = None
    if request.method == "POST" and form.validate():
        reading = journey.read_form(request.form)
        # Shown twice: in the summary with the question's short title, and under the question.
        errors = [
            {
                "href": p.href,
                "field": p.question.id,
                "text": i18n.translate_rule_text(p.error),
                "message": _(
                    "%(question)s: %(problem)s",
                    question=i18n.translate_rule_text(p.question.summary),
                    problem=i18n.translate_rule_text(p.error),
                ),
            }
            for p in reading.problems
        ]
        if not errors:
            g.country = reading.walk.answers.get("country")
            result = services().matcher.match(reading.walk.answers)
            return render_results(result, reading.walk, one_page=True)
    else:
        errors = []
    if request.method == "POST" and form.errors:
        errors = [
            {"href": "#main-form", "message": _("This form is out of date. Please fill it in again."), "field": None}
        ]
    answers = reading.walk.answers if reading is not None else {}
    town_choices = [
        (PICK + town.id, i18n.town_label(town, distinguish=True))
        for p in (reading.problems if reading is not None else [])
        if isinstance(p.error, TownChoices)
        for town in p.error.towns
    ]
    return render_template(
        "pages/one_page.html",
        form=form,
        # Every choice, "I don't know" too: who the help is for is only known once the form is sent.
        questions=[(q, i18n.choices_for(journey, q, None, answers)) for q in journey.questions],
        town_text=town_text_of(request.form.getlist("town")) if request.method == "POST" else "",
        town_choices=town_choices,
        town_pick=PICK + answers["town"] if answers.get("town") not in (None, "", PREFER_NOT_TO_SAY) else "",
        suggest_url=None,
        submitted=request.form if request.method == "POST" else None,
        errors=errors,
        field_errors={e["field"]: e["text"] for e in errors if e.get("field")},
    )
