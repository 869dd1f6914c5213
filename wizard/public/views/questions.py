"""One question per page, then "check your answers".

Every request works the path out again from the stored answers, so a
skipped step, a stale tab or a forged URL simply lands on the right page.
Answers are posted, then the browser is redirected (303), so Back and
Reload never ask to resubmit a form.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from wizard.domain.journey import Walk, first_control_id
from wizard.domain.rulebook.models import words_for
from wizard.platform import i18n
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

    changing = request.args.get("change") == "1"
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
    # The path can grow or shrink with the answers, so the total is "about".
    number = step.number
    total = len(journey.questions)
    choices = i18n.choices_for(journey, q, audience)
    return render_template(
        "pages/question.html",
        q=q,
        text=i18n.translate_rule_text(words_for(q.text, audience)),
        help=i18n.translate_rule_text(words_for(q.help, audience)),
        why_we_ask=i18n.translate_rule_text(q.why_we_ask),
        choices=choices,
        selected=selected,
        error=i18n.translate_rule_text(error),
        errors=[{"href": "#" + first_control_id(q), "message": i18n.translate_rule_text(error)}] if error else [],
        back_url=back_url,
        change=changing,
        number=number,
        total=total,
    )


@bp.get("/check-answers")
def check_answers():
    walk = state.load_walk()
    if not walk.complete or walk.crisis:
        return redirect(_next_url(walk), 303)
    journey, audience = walk.journey, walk.audience
    rows = [
        {
            "question": q,
            "summary": i18n.translate_rule_text(q.summary),
            "labels": i18n.answer_labels(journey, q, walk.answers.get(q.id), audience),
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
