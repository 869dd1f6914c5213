"""The conversation guide: intake staff ask the questions on the phone and see the results.

Every question is on one page, in the journey's order and with its skip logic, each with
a talking prompt and why it matters. The answers are checked by the same code as the
public one-page form (`Journey.read_form`) and matched by the same Matcher, so the results
are the ones the person would see on the website.

The answers live only in the form: each press of "Update results" (or each change, with
JavaScript, through the fragment endpoint) sends them all again. Nothing is stored
unless staff record the conversation, with the caller's consent; the record is an inbox
entry that is already handled.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import current_app, g, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from wizard.domain import places
from wizard.domain.contact_details import BIDI_CONTROLS, FOR_WHOM_CHOICES, read_optional_contact, valid_form_key
from wizard.domain.journey import (
    PICK,
    Answers,
    FormProblem,
    Journey,
    TownChoices,
    Walk,
    first_control_id,
    town_text_of,
)
from wizard.domain.matching import Result
from wizard.domain.messages import Message
from wizard.domain.next_steps import next_steps
from wizard.domain.rulebook import conditions
from wizard.domain.rulebook.models import Question, words_for
from wizard.domain.share_codes import make_code
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY, REGION
from wizard.platform import i18n
from wizard.platform.i18n import LANGUAGES, spoken_language
from wizard.platform.services import services
from wizard.staff import presenters
from wizard.staff.auth import NOTICE, bp
from wizard.staff.inbox import NOTE_MAX, is_control, note_error, read_note
from wizard.storage.models import utcnow

# The public page (made by the share-link feature) that prints a plan from a share code: another
# app's page, so a plain path from the site's root (url_for builds the console's own addresses only).
HANDOUT_PATH = "/shared/{code}/plan"
# How many approaches the case-notes summary lists.
SUMMARY_APPROACHES = 5
LANGUAGE_FIELD = "person_language"
# The record form's fields: each is named like its id, so an error links straight to it.
RECORD_FIELDS = {field: f"record-{field}" for field in ("consent", "note", "name", "phone", "email")}


def _journey() -> Journey:
    return services().journey


# --- reading the form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideAnswers:
    """The answers in a posted guide form, checked as the public one-page form checks them."""

    form: MultiDict
    walk: Walk
    problems: list[FormProblem]
    person_language: str

    @property
    def answers(self) -> Answers:
        return self.walk.answers

    @property
    def complete(self) -> bool:
        return not self.problems


def read_guide(form: MultiDict | None) -> GuideAnswers:
    form = form if form is not None else MultiDict()
    reading = _journey().read_form(form)
    language = form.get(LANGUAGE_FIELD)
    return GuideAnswers(form, reading.walk, reading.problems, language if language in LANGUAGES else "en")


# --- describing questions and skip conditions in English -----------------------------------------


def _or_list(words: list[str], joiner: str = "or") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def _value_label(journey: Journey, answer: str, code: str) -> str:
    if answer == REGION:
        region = next((r for r in journey.rulebook.regions if r.code == code), None)
        return region.name if region else code
    question = journey.by_id.get(answer)
    if question is None:
        return code
    if question.kind == "country":
        country = journey.matcher.countries.get(code)
        return "Prefer not to say" if code == PREFER_NOT_TO_SAY else (country.name if country else code)
    option = question.option(code)
    return words_for(option.label, "myself") if option else code


def _values(journey: Journey, answer: str, codes: Iterable[str]) -> str:
    question = journey.by_id.get(answer)
    order = [o.code for o in question.options] if question is not None else []
    ordered = sorted(codes, key=lambda code: (order.index(code) if code in order else len(order), code))
    return _or_list([_value_label(journey, answer, code) for code in ordered])


def condition_words(journey: Journey, cond: conditions.Cond) -> str:
    """A skip condition in plain English, with the questions' short titles and the options' labels."""

    def title(answer: str) -> str:
        question = journey.by_id.get(answer)
        return "Region" if answer == REGION else (question.summary if question else answer)

    if isinstance(cond, conditions.Equals):
        return f"{title(cond.answer)} is {_value_label(journey, cond.answer, cond.value)}"
    if isinstance(cond, conditions.In):
        return f"{title(cond.answer)} is {_values(journey, cond.answer, cond.values)}"
    if isinstance(cond, conditions.AnyIn):
        return f"{title(cond.answer)} includes {_values(journey, cond.answer, cond.values)}"
    if isinstance(cond, conditions.Answered):
        return f"{title(cond.answer)} is answered"
    if isinstance(cond, conditions.All):
        return _or_list([condition_words(journey, part) for part in cond.parts], "and")
    if isinstance(cond, conditions.Any):
        return _or_list([condition_words(journey, part) for part in cond.parts])
    if isinstance(cond, conditions.Not):
        return f"it is not so that {condition_words(journey, cond.part)}"
    return "always"


@dataclass(frozen=True)
class ChoiceView:
    code: str
    label: str
    # Both wordings when they differ, so the page can follow a change of "who" at once.
    label_myself: str = ""
    label_someone_else: str = ""
    exclusive: bool = False
    # Offered to one audience only ("I don't know", for someone else): hidden for the other one, and
    # shown or hidden by the page's script as "who" changes.
    audience: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class QuestionView:
    question: Question
    number: int
    prompt: str
    prompt_myself: str
    prompt_someone_else: str
    why: str
    choices: list[ChoiceView]
    chosen: list[str]
    skipped: bool
    skip_note: str
    error: str

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def anchor(self) -> str:
        """The control an error links to: the same ids as the public one-page form."""
        return first_control_id(self.question)


def _choices(
    journey: Journey, question: Question, audience: str, answers: Mapping | None = None, chosen: Iterable[str] = ()
) -> list[ChoiceView]:
    if question.kind in ("country", "subdivision", "town"):
        return [
            ChoiceView(choice.code, choice.label) for choice in i18n.choices_for(journey, question, audience, answers)
        ]
    theirs = {choice.code: choice for choice in journey.choices(question, "someone_else")}
    views = []
    for mine_choice in journey.choices(question, None):
        their_choice = theirs[mine_choice.code]
        differs = mine_choice.label != their_choice.label
        views.append(
            ChoiceView(
                mine_choice.code,
                their_choice.label if audience == "someone_else" else mine_choice.label,
                mine_choice.label if differs else "",
                their_choice.label if differs else "",
                mine_choice.exclusive,
                mine_choice.audience,
                # Still shown when ticked, so that the error about it can be put right.
                bool(mine_choice.audience) and mine_choice.audience != audience and mine_choice.code not in chosen,
            )
        )
    return views


# Region and town follow the country rather than a condition in the rules.
PLACE_SKIP_NOTES = {
    "subdivision": "Asked once a country with regions is chosen: press Update results to list its regions.",
    "town": "Asked once a country is chosen.",
}


def english_message(message: Message) -> str:
    """A journey message in English, with a country code in it written as the country's name."""
    params = dict(getattr(message, "params", {}) or {})
    if "country" in params:
        country = _journey().matcher.countries.get(params["country"])
        params["country"] = country.name if country else "that country"
    return str.__str__(message) % params if params else str.__str__(message)


def town_field(reading: GuideAnswers) -> tuple[str, list[tuple[str, str]]]:
    """The town field's text (typed, or the chosen town's name) and the towns to choose from."""
    text = town_text_of(reading.form.getlist("town"))
    chosen = reading.answers.get("town")
    if isinstance(chosen, str) and chosen not in ("", PREFER_NOT_TO_SAY):
        town = places.town_by_id(chosen)
        text = town.name if town else text
    towns = [town for p in reading.problems if isinstance(p.error, TownChoices) for town in p.error.towns]
    return text, [(PICK + town.id, i18n.town_label(town, distinguish=True)) for town in towns]


def town_pick(reading: GuideAnswers) -> str:
    chosen = reading.answers.get("town")
    return PICK + chosen if isinstance(chosen, str) and chosen not in ("", PREFER_NOT_TO_SAY) else ""


def question_views(reading: GuideAnswers, *, show_errors: bool) -> list[QuestionView]:
    journey = _journey()
    audience = reading.walk.audience
    errors = {p.question.id: english_message(p.error) for p in reading.problems} if show_errors else {}
    views = []
    for number, question in enumerate(journey.questions, 1):
        mine, theirs = words_for(question.prompt, "myself"), words_for(question.prompt, "someone_else")
        views.append(
            QuestionView(
                question=question,
                number=number,
                prompt=theirs if audience == "someone_else" else mine,
                prompt_myself=mine if mine != theirs else "",
                prompt_someone_else=theirs if mine != theirs else "",
                why=question.why_we_ask or "",
                choices=_choices(journey, question, audience, reading.walk.answers, reading.form.getlist(question.id)),
                chosen=reading.form.getlist(question.id),
                skipped=not reading.walk.on_path(question.id),
                skip_note=(
                    f"Skipped for these answers: asked only when {condition_words(journey, question.ask_if)}."
                    if question.ask_if is not None
                    else PLACE_SKIP_NOTES.get(question.kind, "")
                ),
                error=errors.get(question.id, ""),
            )
        )
    return views


# --- the results panel and what staff take away from it -------------------------------------------


def _english_labels(journey: Journey, question: Question, value: object, audience: str) -> list[str]:
    return [str(label) for label in i18n.answer_labels(journey, question, value, audience)]


def summary_text(reading: GuideAnswers, result: Result, *, now=None) -> str:
    """A plain-text summary for case notes, in English."""
    journey = _journey()
    answers = reading.answers
    audience = reading.walk.audience
    lines = [
        f"Conversation on {presenters.when(now or utcnow())}",
        f"Language of the person: {presenters.language_name(reading.person_language)}",
        "",
        "Answers",
    ]
    for question in reading.walk.path:
        if question.id in answers:
            lines.append(
                f"- {question.summary}: {'; '.join(_english_labels(journey, question, answers[question.id], audience))}"
            )
    if result.crisis:
        emergency = result.contacts.primary.number if result.contacts else "the local emergency number"
        lines += ["", f"DANGER NOW: they said there is danger now. Emergency number: {emergency}."]
    top = result.approaches[:SUMMARY_APPROACHES]
    lines += ["", "Approaches that may fit (best match first)"]
    for number, match in enumerate(top, 1):
        reasons = " ".join(i18n.reason_text(reason) for reason in match.reasons)
        lines.append(f"{number}. {match.approach.name}: {reasons}")
    cautions = [(match.approach.name, caution) for match in top for caution in match.approach.cautions[:1]]
    if cautions:
        lines += ["", "Key cautions"]
        lines += [f"- {name}: {caution}" for name, caution in cautions]
    if result.not_effective:
        lines += ["", "Worth knowing"]
        lines += [f"- {item.item.name}: {item.note}" for item in result.not_effective]
    lines.append("")
    if result.contacts:
        lines.append(f"Helplines for {result.country.name}")
        for entry in result.contacts.emergency:
            caveats = f" ({', '.join(c.replace('_', ' ') for c in entry.caveats)})" if entry.caveats else ""
            lines.append(f"- Emergency number ({entry.service}): {entry.number}{caveats}")
        for line in result.contacts.ordered_helplines:
            ways = [part for part in (line.phone, f"text {line.text}" if line.text else "", line.url) if part]
            kind = "crisis line" if line.kind == "crisis" else "not a crisis line"
            hours = "24 hours" if line.always_open else line.hours
            lines.append(f"- {line.name} ({kind}): {', '.join(ways)} ({hours})")
    elif result.country:
        lines.append(
            f"Helplines: none checked yet for {result.country.name}; in an emergency, the local emergency number."
        )
    else:
        lines.append("Helplines: country not given; in an emergency, the local emergency number.")
    return "\n".join(lines)


def handout_url(reading: GuideAnswers) -> str:
    code = make_code(_journey(), reading.answers, current_app.config["SECRET_KEY"])
    return request.script_root + HANDOUT_PATH.format(code=code) + f"?lang={reading.person_language}"


def hidden_answers(reading: GuideAnswers) -> list[tuple[str, str]]:
    """The answers as form fields, for the record form (which sends them again)."""
    fields = [(LANGUAGE_FIELD, reading.person_language)]
    for qid, value in reading.answers.items():
        if qid == "town" and value:
            # A town answer is its id; the field reads an id picked from a list as "#" + id.
            fields.append((qid, PICK + str(value)))
        elif isinstance(value, list):
            fields += [(qid, code) for code in value]
        elif value:
            fields.append((qid, str(value)))
    return fields


def language_choices() -> list[tuple[str, str]]:
    out = []
    for code, (own_name, _direction) in LANGUAGES.items():
        english = presenters.language_name(code)
        out.append((code, english if english == own_name else f"{english} ({own_name})"))
    return out


def _missing(reading: GuideAnswers) -> list[str]:
    return [str(p.question.summary) for p in reading.problems]


def panel_context(reading: GuideAnswers, *, record: Mapping | None = None) -> dict:
    journey = _journey()
    started = any(value not in ("", []) for value in reading.answers.values())
    result = services().matcher.match(reading.answers) if started else None
    rulebook = services().rulebook
    complete = started and reading.complete
    record = record or {}
    # Services near the person, as the public pages show them; none before the answers are complete.
    near = services().directory.nearby(result if complete else None, reading.answers)
    return {
        "reading": reading,
        "started": started,
        "complete": complete,
        "missing": _missing(reading),
        "skipped": [q.id for q in journey.questions if not reading.walk.on_path(q.id)],
        "result": result,
        "documents": {d.id: d for d in rulebook.documents},
        "approach_names": {a.id: a.name for a in rulebook.approaches},
        "summary": summary_text(reading, result) if complete else "",
        **near,
        # The same first line and ways to start as the person's own results page.
        "steps": next_steps(result, near["shown_services"], spoken_language(reading.person_language))
        if result
        else None,
        "handout_url": handout_url(reading) if complete else "",
        "hidden_answers": hidden_answers(reading),
        "form_key": record.get("form_key") or secrets.token_urlsafe(24),
        "record_values": record.get("values", {}),
        "record_errors": record.get("errors", {}),
        "note_max": NOTE_MAX,
        "language_name": presenters.language_name(reading.person_language),
    }


def _render_page(reading: GuideAnswers, *, show_errors: bool, record: Mapping | None = None) -> str:
    errors = []
    if show_errors:
        errors = [
            {"href": p.href, "message": f"{p.question.summary}: {english_message(p.error)}"} for p in reading.problems
        ]
    record_errors = (record or {}).get("errors", {})
    errors += [
        {"href": "#guide-form" if field == "questions" else f"#{RECORD_FIELDS[field]}", "message": message}
        for field, message in record_errors.items()
    ]
    town_text, town_choices = town_field(reading)
    return render_template(
        "staff/guide.html",
        questions=question_views(reading, show_errors=show_errors),
        languages=language_choices(),
        language_field=LANGUAGE_FIELD,
        errors=errors,
        town_text=town_text,
        town_choices=town_choices,
        town_pick=town_pick(reading),
        suggest_url=None,
        **panel_context(reading, record=record),
    )


# --- the pages ----------------------------------------------------------------------------------------


@bp.route("/guide", methods=["GET", "POST"])
def guide():
    if request.method == "GET":
        return _render_page(read_guide(None), show_errors=False)
    return _render_page(read_guide(request.form), show_errors=True)


@bp.post("/guide/results")
def guide_results():
    """The results panel alone, for the page's script to swap in as answers change."""
    return render_template("staff/_guide_results.html", **panel_context(read_guide(request.form)))


def _record_details(reading: GuideAnswers, contact: dict) -> dict:
    answers = reading.answers
    result = services().matcher.match(answers)
    details: dict = {
        "source": "conversation",
        "consent_recorded_by": g.staff.username,
        **contact,
        "language": reading.person_language,
    }
    if answers.get("who") in FOR_WHOM_CHOICES:
        details["for_whom"] = answers["who"]
    details["summary"] = {
        "answers": answers,
        "approaches": [match.approach.id for match in result.approaches],
        "interface_language": reading.person_language,
    }
    return details


@bp.post("/guide/record")
def guide_record():
    form = request.form
    form_key = form.get("form_key")
    if not valid_form_key(form_key):
        raise BadRequest()
    reading = read_guide(form)
    if not reading.complete:
        # The record form is offered only for complete answers: these came from an old page.
        record = {"errors": {"questions": "Answer the questions still open before you record the conversation"}}
        return _render_page(reading, show_errors=True, record=record)
    values = {field: form.get(name, "") for field, name in RECORD_FIELDS.items()}
    errors: dict[str, str] = {}
    if form.get(RECORD_FIELDS["consent"]) != "yes":
        errors["consent"] = "Tick the box to confirm that the caller agreed that we keep a record"
    note = read_note(values["note"])
    if message := note_error(note):
        errors["note"] = message
    country = reading.answers.get("country")
    contact, problems = read_optional_contact(
        values["name"], values["phone"], values["email"], country=country if isinstance(country, str) else None
    )
    for problem in problems:
        errors.setdefault(problem.field, problem.message.english())
    if errors:
        # Shown again without invisible characters; the consent box is never ticked for them.
        shown = {
            field: "".join(ch for ch in value if not is_control(ch) and ch not in BIDI_CONTROLS)
            for field, value in values.items()
        }
        shown["consent"] = ""
        record = {"form_key": form_key, "values": shown, "errors": errors}
        return _render_page(reading, show_errors=False, record=record)
    reference, _new = services().callbacks.record_conversation(
        _record_details(reading, contact), staff=g.staff.username, note=note, form_key=form_key
    )
    session[NOTICE] = "recorded"
    return redirect(url_for("staff.detail", reference=reference), 303)
