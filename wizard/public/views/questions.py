"""One question per page, then "check your answers".

Every request works the path out again from the stored answers, so a
skipped step, a stale tab or a forged URL simply lands on the right page.
Answers are posted, then the browser is redirected (303), so Back and
Reload never ask to resubmit a form.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from wizard.domain import places
from wizard.domain.journey import PICK, TOWN_TEXT_MAX, Walk, first_control_id, town_candidates
from wizard.domain.rulebook.models import words_for
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY
from wizard.platform import i18n
from wizard.platform.fragments import fragment_key
from wizard.platform.query import query_arg
from wizard.platform.rate_limits import limiter
from wizard.platform.security_headers import csrf
from wizard.public import answers as state

bp = Blueprint("questions", __name__)


def _next_url(walk: Walk) -> str:
    if walk.crisis:
        return url_for("pages.help_now")
    upcoming = walk.next_question
    if upcoming is None:
        return url_for("questions.check_answers")
    return url_for("questions.question", question_id=upcoming.id)


@bp.get("/questions")
def begin():
    return redirect(_next_url(state.load_walk()), 303)


@bp.route("/questions/<question_id>", methods=["GET", "POST"])
def question(question_id: str):
    walk = state.load_walk()
    step = walk.step(question_id)
    if step is None:
        abort(404)
    # A question off the path, or beyond the first unanswered one, is not reachable yet.
    if not step.reachable:
        return redirect(_next_url(walk), 303)

    changing = query_arg("change") == "1"
    if request.method == "POST":
        walk, error = step.submit(request.form.getlist(question_id))
        if error:
            state.set_error(question_id, error)
            return redirect(request.full_path.rstrip("?"), 303)
        state.save(walk)
        if changing and walk.complete and not walk.crisis:
            return redirect(url_for("questions.check_answers"), 303)
        return redirect(_next_url(walk), 303)

    error = state.pop_error(question_id)
    journey, q, audience = walk.journey, step.question, walk.audience
    previous = step.previous
    if changing:
        back_url = url_for("questions.check_answers")
    elif previous is not None:
        back_url = url_for("questions.question", question_id=previous.id)
    else:
        back_url = url_for("pages.start")
    current = walk.answers.get(question_id)
    selected = set(current) if isinstance(current, list) else {current} if current else set()
    town_text, town_choices, town_pick = "", [], ""
    if q.kind == "town":
        town_text, town_choices = town_field(error, current, walk.answers)
        if not error and isinstance(current, str) and current not in ("", PREFER_NOT_TO_SAY):
            town_pick = PICK + current
    # Where the question is on this person's path, out of the questions on it now. The path can still
    # grow or shrink with the answers to come, so the page says "about"; the title (titles.py) is short.
    number = step.number
    total = len(walk.path)
    choices = i18n.choices_for(journey, q, audience, walk.answers)
    # Back at a crisis question from the urgent-help page: say which answer carries on once it is safe.
    crisis_codes = {o.code for o in q.options if o.crisis}
    calm_answer = None
    if isinstance(current, str) and current in crisis_codes:
        calm_answer = next((c.label for c in choices if c.code not in crisis_codes), None)
    return render_template(
        "pages/question.html",
        field_key=_field_key(q, audience, selected, calm_answer, error),
        q=q,
        text=i18n.translate_rule_text(words_for(q.text, audience)),
        help=i18n.translate_rule_text(words_for(q.help, audience)),
        why_we_ask=i18n.translate_rule_text(q.why_we_ask),
        calm_answer=calm_answer,
        choices=choices,
        selected=selected,
        error=i18n.translate_rule_text(error),
        errors=[{"href": "#" + first_control_id(q), "message": i18n.translate_rule_text(error)}] if error else [],
        back_url=back_url,
        change=changing,
        number=number,
        total=total,
        town_text=town_text,
        town_choices=town_choices,
        town_pick=town_pick,
        suggest_url=url_for("questions.town_suggestions") if q.kind == "town" else None,
    )


# Kinds of question whose field shows only the rules' words and which choices are ticked: not the places,
# whose regions depend on the country answered and whose town field can hold what was typed.
KEPT_FIELD_KINDS = ("single", "multiple")


def _field_key(q, audience: str | None, selected: set, calm_answer: str | None, error) -> str | None:
    """What the question's field is kept under (its words, choices and hints in this language, with these
    choices ticked), or None to render it afresh: with an error, which can show what was typed, or for a place.
    Several ticked choices are not kept either: their combinations are many, each seen by few."""
    if error or q.kind not in KEPT_FIELD_KINDS or len(selected) > 1:
        return None
    return fragment_key(q.id, audience, tuple(selected), calm_answer)


def town_field(error: object, current: object, answers) -> tuple[str, list[tuple[str, str]]]:
    """What the town field shows: the text typed (kept in the error that sent the person back) or
    the chosen town's name, and the towns to choose from when the text fitted several."""
    params = getattr(error, "params", None) or {}
    text = params.get("text", "") if isinstance(params, dict) else ""
    if not text and isinstance(current, str) and current not in ("", PREFER_NOT_TO_SAY):
        town = places.town_by_id(current)
        text = town.name if town else ""
    towns = town_candidates(error, answers) if error else ()
    return text, [(PICK + town.id, i18n.town_label(town, distinguish=True)) for town in towns]


# Typing a name sends a request every few letters: enough for a person, not for copying the gazetteer.
SUGGESTIONS_RATE_LIMIT = "60 per minute; 1000 per day"
SUGGESTIONS_MAX = 8


@bp.post("/questions/town/suggestions")
@csrf.exempt  # the token is in the JSON body, checked below
@limiter.limit(SUGGESTIONS_RATE_LIMIT)
def town_suggestions():
    """Towns whose names fit the typed text, for the town field's suggestions. The text comes in a
    POST body, never in the address, so it is in no log and no history; the country and region
    are the person's own answers."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return jsonify(error="Send a JSON object with text and csrf_token."), 400
    origin = request.headers.get("Origin")
    if origin and origin != request.host_url.rstrip("/"):
        return jsonify(error="The request came from another site."), 403
    try:
        validate_csrf(body.get("csrf_token") if isinstance(body.get("csrf_token"), str) else None)
    except (ValidationError, CSRFError):
        return jsonify(error="The page has expired. Reload it and try again."), 400
    walk = state.load_walk()
    if not walk.on_path("town"):
        return jsonify(suggestions=[])
    answers = walk.answers
    region = answers.get("subdivision")
    region = region if places.is_subdivision_of(region, answers.get("country")) else None
    text = body["text"].strip()[:TOWN_TEXT_MAX]
    towns = places.find_towns(answers["country"], text, region, limit=SUGGESTIONS_MAX) if len(text) >= 2 else []
    return jsonify(
        suggestions=[{"id": t.id, "name": t.name, "label": i18n.town_label(t, distinguish=True)} for t in towns]
    )


@bp.get("/check-answers")
def check_answers():
    walk = state.load_walk()
    if not walk.complete or walk.crisis:
        return redirect(_next_url(walk), 303)
    journey, audience = walk.journey, walk.audience
    summaries = i18n.question_summaries(journey)
    rows = [
        {
            "question": q,
            "summary": summaries[q.id],
            "labels": i18n.answer_labels(journey, q, walk.answers.get(q.id), audience),
            # Kept once built, as every link of the journey is (embed.py).
            "change_url": url_for("questions.question", question_id=q.id, change="1"),
        }
        for q in walk.path
    ]
    last = walk.path[-1]
    return render_template(
        "pages/check_answers.html",
        rows=rows,
        back_url=url_for("questions.question", question_id=last.id),
    )
