"""Reach out: the operator's contact details, direct-help organisations and helplines."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import state

bp = Blueprint("contact", __name__)


@bp.get("/reach-out")
def reach_out():
    journey = state.journey()
    answers = state.load_answers()
    result = None
    if answers and journey.is_complete(answers):
        result = current_app.extensions["matcher"].match(answers)
    return render_template("reach_out.html", result=result)
