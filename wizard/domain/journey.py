"""The path through the questions, worked out from the answers every time.

One walk over the questions (`Journey.walk`) gives the path and everything that follows
from it: the answers kept, the next and previous questions, whether the answers are
complete or in crisis, and who they are for. Pages, forms, the API and the answer-space
checks all ask for a walk rather than walking the questions themselves.

Answers are a plain mapping of question id -> option code (single and
country questions) or list of codes (multiple). A key that is present with
an empty value means "seen and left blank" for an optional question.
Nothing here knows about Flask, so the same rules drive the step-by-step
journey, the one-page form and the JSON API.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from wizard.domain import places
from wizard.domain.audience import MYSELF, SOMEONE_ELSE, audience_of
from wizard.domain.matching import Matcher
from wizard.domain.messages import N_, Message
from wizard.domain.rulebook.models import PLACE_KINDS, Question, Rulebook, words_for
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

Answers = dict[str, object]

# The longest town name the town question reads (the longest in the gazetteer is under 60).
TOWN_TEXT_MAX = 100
# A town answer picked from a list (did-you-mean radios, the autocomplete) is sent as "#" + its id,
# next to the typed text; "#none" is "None of these".
PICK = "#"
NONE_OF_THESE = "none"

# Said next to a choice offered to one audience only, on a form that lists every choice.
ONLY_FOR = {"someone_else": N_("Only if the help is for someone else")}
# The error when such a choice is sent by someone else.
NOT_OFFERED = {"someone_else": N_("“%(label)s” can only be chosen when the help is for someone else")}


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    hint: str = ""
    exclusive: bool = False
    # Set on a choice offered to one audience only, where a form lists every choice before it
    # knows who the help is for (the one-page form, the staff guide).
    audience: str = ""


class FormData(Protocol):
    """A submitted form: the first value of a field, or all of them (as a MultiDict gives)."""

    def get(self, key: str, default: object = None) -> object: ...

    def getlist(self, key: str) -> list[str]: ...


class Journey:
    def __init__(self, rulebook: Rulebook, matcher: Matcher):
        self.rulebook = rulebook
        self.matcher = matcher
        self.questions = rulebook.questions
        self.by_id = {q.id: q for q in rulebook.questions}
        self.order = {q.id: n for n, q in enumerate(rulebook.questions)}
        countries = sorted(rulebook.countries, key=lambda c: c.name.casefold())
        self.country_choices = (
            *(Choice(c.code, c.name) for c in countries),
            Choice(PREFER_NOT_TO_SAY, N_("Prefer not to say")),
        )
        self.country_codes = frozenset(c.code for c in self.country_choices)
        self.crisis_answers = tuple((q.id, o.code) for q in self.questions for o in q.options if o.crisis)
        # Question id -> the option codes offered to one audience only, and to which.
        self.limited = {
            q.id: {o.code: o.audience for o in q.options if o.audience} for q in self.questions if q.options
        }
        self.limited = {qid: codes for qid, codes in self.limited.items() if codes}
        # The codes each reader may answer with, per question: every cookie's answers are checked against them.
        self.codes_for = {
            (q.id, audience): self.valid_codes(q, audience)
            for q in self.questions
            for audience in (MYSELF, SOMEONE_ELSE)
        }
        # Most requests carry no answers (every page before the first one, the staff
        # console): their walk is always the same, so it is worked out once, here.
        self.no_answers = self.walk({})

    # --- the path -------------------------------------------------------------------

    def walk(self, answers: Mapping[str, object]) -> Walk:
        """The one walk over the questions for these answers: everything about the path.

        Every page, form and API call that needs the path asks this once per request
        and reads the rest (kept answers, next, previous, complete, crisis, audience)
        from the Walk it gets back.
        """
        return self._walk_from(answers, 0, (), {})

    def _walk_from(
        self, answers: Mapping[str, object], start: int, path: tuple[Question, ...], kept: dict[str, object]
    ) -> Walk:
        """Walk on from the question at `start`, given the path and kept answers before it.

        Skip conditions only look backwards, so one pass in order is enough, and a
        walk can resume at a changed answer: nothing before it can change.
        """
        on_path = list(path)
        kept = dict(kept)
        # The facts of the answers kept so far, worked out again only after an answer is kept.
        facts = None
        for question in self.questions[start:]:
            if question.ask_if is not None:
                if facts is None:
                    facts = self.matcher.facts(kept)
                if not question.ask_if.test(facts):
                    continue
            if question.kind in PLACE_KINDS and not place_question_asked(question, kept):
                continue
            on_path.append(question)
            if question.id in answers and self.offered(question.id, answers[question.id], audience_of(kept)):
                kept[question.id] = answers[question.id]
                facts = None
        # In the order given (a cookie's or a form's), not the questions' order. When every answer
        # is on the path (most walks), that is the answers as they are.
        if len(kept) == len(answers):
            given = dict(answers)
        else:
            given = {qid: value for qid, value in answers.items() if qid in kept}
        return Walk(self, tuple(on_path), given)

    @cached_property
    def path_lengths(self) -> tuple[int, int]:
        """The fewest and the most questions anyone is asked (the start page says so, rather than a guess).

        Only the answers that decide which questions are asked are tried: those a skip condition
        tests, and the country (the region and town questions follow it). Any other answer leaves
        the path as it is.
        """
        tested = {leaf.answer for q in self.questions if q.ask_if is not None for leaf in q.ask_if.leaves()}
        deciding = {q.id for q in self.questions if q.id in tested or q.kind == "country"}
        lengths: set[int] = set()

        def explore(answers: Answers) -> None:
            walk = self.walk(answers)
            upcoming = next((q for q in walk.path if q.id in deciding and q.id not in answers), None)
            if upcoming is None:
                lengths.add(len(walk.path))
                return
            for value in self._possible_answers(upcoming):
                explore({**answers, upcoming.id: value})

        explore({})
        return min(lengths), max(lengths)

    def _possible_answers(self, question: Question) -> list[object]:
        """Every answer a person can give to a question (a multiple one's every allowed combination)."""
        if question.kind == "country":
            return [c.code for c in self.country_choices]
        codes = [o.code for o in question.options]
        if question.kind != "multiple":
            return codes if question.required else [*codes, ""]
        exclusive = {o.code for o in question.options if o.exclusive}
        plain = [code for code in codes if code not in exclusive]
        combinations = [list(c) for n in range(1, len(plain) + 1) for c in itertools.combinations(plain, n)]
        return [*combinations, *([code] for code in exclusive), *([] if question.required else [[]])]

    def read_form(self, form: FormData) -> FormReading:
        """Validate every question on the path that the submitted answers make (the one-page
        form and the staff guide).

        Each question is checked on its own, then one walk over the valid answers gives
        the path: a question's skip condition sees only the valid answers before it, as
        when the questions are answered one by one. Problems with skipped questions are
        not reported, because they are not asked.
        """
        audience = audience_of(form)
        valid: Answers = {}
        errors: dict[str, Message] = {}
        for question in self.questions:
            value, error = self.validate(question, form.getlist(question.id), audience, valid)
            if error:
                errors[question.id] = error
            else:
                valid[question.id] = value
        walk = self.walk(valid)
        problems = [FormProblem(q, errors[q.id]) for q in walk.path if q.id in errors]
        return FormReading(walk, problems)

    # --- options and validation --------------------------------------------------------

    def offered(self, question_id: str, value: object, audience: str) -> bool:
        """Whether an answer uses only options offered to this audience. An answer that does not
        (someone answering for themselves with "I don't know") is dropped like one off the path,
        so the question is asked again: after "who" changes, for example."""
        limited = self.limited.get(question_id)
        if not limited:
            return True
        codes = value if isinstance(value, list) else [value]
        return all(limited.get(code, audience) == audience for code in codes)

    def choices(self, question: Question, audience: str | None) -> tuple[Choice, ...]:
        """The options offered to this audience; with None (a form that does not know yet who the
        help is for), every option, each one offered to one audience only saying so."""
        if question.kind == "country":
            return self.country_choices
        wording = audience or "myself"
        return tuple(
            Choice(
                o.code,
                words_for(o.label, wording),
                words_for(o.hint, wording) or (ONLY_FOR[o.audience] if audience is None and o.audience else ""),
                o.exclusive,
                (o.audience or "") if audience is None else "",
            )
            for o in (question.options if audience is None else question.options_for(audience))
        )

    def valid_codes(self, question: Question, audience: str | None = None) -> frozenset[str]:
        """Every code the question knows; with an audience, only those offered to it."""
        if question.kind == "country":
            return self.country_codes
        options = question.options if audience is None else question.options_for(audience)
        return frozenset(o.code for o in options)

    def validate(
        self, question: Question, submitted: list[str], audience: str, answers: Mapping[str, object] | None = None
    ) -> tuple[object, str | None]:
        """Turn submitted form values into an answer, or an error message.

        Any value that is not an option code (a forged or stale form) is
        treated like no answer, so it gets the normal message, never a crash.
        Region and town answers are checked against the country (and region) in `answers`,
        the answers given before them.
        """
        if question.kind == "subdivision":
            return self._validate_subdivision(question, submitted, audience, answers or {})
        if question.kind == "town":
            return validate_town(submitted, answers or {})
        codes = self.valid_codes(question)
        chosen = [value for value in dict.fromkeys(submitted) if value in codes]
        forged = len(chosen) != len([v for v in submitted if v != ""])
        if not forged and not self.offered(question.id, chosen, audience):
            # A real option, but not one this person was offered (a forged or stale form, or the
            # one-page form's "I don't know" chosen by someone answering for themselves).
            option = next(o for o in question.options if o.code in chosen and not o.offered_to(audience))
            return None, Message(NOT_OFFERED[option.audience], label=words_for(option.label, audience))
        if question.kind == "multiple":
            exclusive = {o.code for o in question.options if o.exclusive}
            if forged:
                return None, Message(N_("Select from the options shown"))
            if len(chosen) > 1 and exclusive.intersection(chosen):
                label = next(
                    words_for(o.label, audience) for o in question.options if o.code in exclusive and o.code in chosen
                )
                return None, Message(N_("“%(label)s” cannot be chosen together with other answers"), label=label)
            if not chosen and question.required:
                return None, self.required_message(question, audience)
            order = [o.code for o in question.options]
            return sorted(chosen, key=order.index), None
        if forged or len(chosen) > 1:
            return None, self.required_message(question, audience)
        if not chosen:
            if question.required:
                return None, self.required_message(question, audience)
            return "", None
        return chosen[0], None

    def _validate_subdivision(
        self, question: Question, submitted: list[str], audience: str, answers: Mapping[str, object]
    ) -> tuple[object, str | None]:
        given = [value for value in dict.fromkeys(submitted) if value != ""]
        if not given:
            return "", None
        country = answers.get("country")
        if len(given) == 1 and (given[0] == PREFER_NOT_TO_SAY or places.is_subdivision_of(given[0], country)):
            return given[0], None
        return None, self.required_message(question, audience)

    def required_message(self, question: Question, audience: str) -> str:
        return Message(words_for(question.error, audience) or N_("Select an answer to continue"))

    def well_formed(self, answers: object) -> Answers:
        """Keep only well-formed answers to known questions (state read back from a cookie or
        a share code); whether they are on the path is the walk's business."""
        if not isinstance(answers, dict):
            return {}
        clean: Answers = {}
        audience = audience_of(answers)
        for qid, value in answers.items():
            question = self.by_id.get(qid)
            if question is None:
                continue
            if question.kind in PLACE_KINDS:
                if isinstance(value, str) and place_answer_valid(question, value, answers):
                    clean[qid] = value
                continue
            codes = self.codes_for[qid, audience]
            if question.kind == "multiple":
                if isinstance(value, list) and all(isinstance(v, str) and v in codes for v in value):
                    clean[qid] = list(value)
            elif isinstance(value, str) and (value in codes or (value == "" and not question.required)):
                clean[qid] = value
        return clean

    def sanitise(self, answers: object) -> Walk:
        """The walk of the well-formed answers: only those on the path are kept."""
        well_formed = self.well_formed(answers)
        return self.walk(well_formed) if well_formed else self.no_answers

    # --- describing answers ----------------------------------------------------------------

    def answer_labels(self, question: Question, value: object, audience: str) -> list[str]:
        """The answer in English words (a region's and a town's English names)."""
        if question.kind in PLACE_KINDS and value and value != PREFER_NOT_TO_SAY:
            name = place_answer_name(question, value, "en")
            return [name] if name else [N_("Not answered")]
        if question.kind in PLACE_KINDS and value == PREFER_NOT_TO_SAY:
            return [N_("Prefer not to say")]
        labels = {c.code: c.label for c in self.choices(question, audience)}
        if isinstance(value, list):
            return [labels[v] for v in value if v in labels] or [N_("Not answered")]
        if value in labels:
            return [labels[value]]
        return [N_("Not answered")]


@dataclass(frozen=True)
class Walk:
    """The path that some answers make, and what follows from it. Do not change `answers`:
    a walk may be shared (the walk of no answers is)."""

    journey: Journey
    path: tuple[Question, ...]
    # The answers to questions on the path; the others are dropped.
    answers: Answers

    @cached_property
    def _positions(self) -> dict[str, int]:
        # Worked out when first asked: the answer-space walk makes 29,160 walks and asks none.
        return {q.id: n for n, q in enumerate(self.path)}

    @property
    def next_question(self) -> Question | None:
        """The first question on the path without an answer (None when the answers are complete)."""
        return next((q for q in self.path if q.id not in self.answers), None)

    @property
    def complete(self) -> bool:
        return self.next_question is None

    @property
    def crisis(self) -> bool:
        return any(self.answers.get(qid) == code for qid, code in self.journey.crisis_answers)

    @property
    def audience(self) -> str:
        return audience_of(self.answers)

    def on_path(self, question_id: str) -> bool:
        return question_id in self._positions

    def previous_before(self, question_id: str) -> Question | None:
        position = self._positions.get(question_id)
        return self.path[position - 1] if position else None

    def number_of(self, question_id: str) -> int:
        """Where the question is on the path, from 1; 0 if it is not on it."""
        position = self._positions.get(question_id)
        return 0 if position is None else position + 1

    def reachable(self, question_id: str) -> bool:
        """On the path, and not beyond the first unanswered question."""
        if question_id not in self._positions:
            return False
        upcoming = self.next_question
        return upcoming is None or self._positions[question_id] <= self._positions[upcoming.id]

    def step(self, question_id: str) -> Step | None:
        """One question of this walk, to show or answer; None for a question that does not exist."""
        question = self.journey.by_id.get(question_id)
        return None if question is None else Step(self, question)

    def with_answer(self, question_id: str, value: object) -> Walk:
        """The walk of these answers with one answer set. Only the questions from that one on
        are walked again: the path before it cannot change."""
        answers = {**self.answers, question_id: value}
        journey = self.journey
        start = journey.order[question_id]
        before = tuple(q for q in self.path if journey.order[q.id] < start)
        kept = {q.id: answers[q.id] for q in before if q.id in answers}
        return journey._walk_from(answers, start, before, kept)


@dataclass(frozen=True)
class Step:
    """One question of a walk: where it is, the one before it, and answering it."""

    walk: Walk
    question: Question

    @property
    def reachable(self) -> bool:
        return self.walk.reachable(self.question.id)

    @property
    def previous(self) -> Question | None:
        return self.walk.previous_before(self.question.id)

    @property
    def number(self) -> int:
        return self.walk.number_of(self.question.id)

    def submit(self, submitted: list[str]) -> tuple[Walk | None, Message | None]:
        """The walk with the submitted answer, or the message that says what is wrong."""
        value, error = self.walk.journey.validate(self.question, submitted, self.walk.audience, self.walk.answers)
        if error:
            return None, error
        return self.walk.with_answer(self.question.id, value), None


def first_control_id(question: Question) -> str:
    """The id of a question's first control, where an error about it links to: the same on the
    question page, the one-page form and the staff guide."""
    if question.kind == "country" or question.kind in PLACE_KINDS:
        return f"{question.id}-input"
    return f"{question.id}-{question.options[0].code}"


@dataclass(frozen=True)
class FormProblem:
    question: Question
    error: Message

    @property
    def href(self) -> str:
        return "#" + first_control_id(self.question)


@dataclass(frozen=True)
class FormReading:
    """A whole form read at once: the walk of its valid answers, and each question's problem."""

    walk: Walk
    problems: list[FormProblem]


# --- the region and town questions ---------------------------------------------------------------


def place_question_asked(question: Question, answers: Mapping[str, object]) -> bool:
    """A region question is asked once a country with regions is chosen; a town question once any
    country is chosen ("prefer not to say" skips both)."""
    country = answers.get("country")
    if not isinstance(country, str) or not country or country == PREFER_NOT_TO_SAY:
        return False
    if question.kind == "subdivision":
        return bool(places.subdivisions_exist(country))
    return True


def place_answer_valid(question: Question, value: str, answers: Mapping[str, object]) -> bool:
    """A stored region or town answer (from a cookie or a share code) that fits the country."""
    if value in ("", PREFER_NOT_TO_SAY):
        return True
    country = answers.get("country")
    if question.kind == "subdivision":
        return places.is_subdivision_of(value, country)
    town = places.town_by_id(value)
    return town is not None and town.country == country


def place_answer_name(question: Question, value: object, language: str) -> str | None:
    """A region's or a town's name in the language, or None when the answer names neither."""
    if not isinstance(value, str):
        return None
    if question.kind == "subdivision":
        return places.subdivision_name(value, language)
    town = places.town_by_id(value)
    return town.name if town else None


class TownChoices(Message):
    """More than one town fits the text: the person chooses one ("Did you mean ...")."""

    towns: tuple[places.Town, ...]

    def __new__(cls, msgid: str, towns: tuple[places.Town, ...], **params: str) -> TownChoices:
        message = super().__new__(cls, msgid, **params)
        message.towns = towns
        return message


def town_text_of(submitted: list[str]) -> str:
    return next((v.strip() for v in submitted if isinstance(v, str) and v.strip() and not v.startswith(PICK)), "")


def validate_town(submitted: list[str], answers: Mapping[str, object]) -> tuple[object, Message | None]:
    """A town answer from the typed text, or from a town picked from a list ("#" + its GeoNames id).

    One town of that name in the country (and region, when known): its id. Several, or
    none by that name but some whose names start with it: TownChoices to choose from.
    None at all: a message that says so. Nothing typed: skipped ("").
    """
    country = answers.get("country")
    region = answers.get("subdivision")
    region = region if isinstance(region, str) and places.is_subdivision_of(region, country) else None
    picks = [v[len(PICK) :] for v in submitted if isinstance(v, str) and v.startswith(PICK)]
    text = town_text_of(submitted)
    if picks:
        pick = picks[0]
        if pick == PREFER_NOT_TO_SAY:
            return PREFER_NOT_TO_SAY, None
        if pick == NONE_OF_THESE:
            return None, Message(
                N_("Type the name of the town or city again, or leave it blank to skip this question.")
            )
        town = places.town_by_id(pick)
        fits = town is not None and town.country == country and not (region and town.subdivision not in (None, region))
        # A town picked for a name that was then changed is not the answer: the new name is.
        if fits and (not text or places.named_like(town, text)):
            return town.id, None
        if not text:
            return None, Message(N_("Select from the options shown"))
    if not text:
        return "", None
    if text == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY, None
    if not isinstance(country, str) or len(text) > TOWN_TEXT_MAX:
        return None, _not_found(text, country)
    exact = places.exact_towns(country, text, region)
    if len(exact) == 1:
        return exact[0].id, None
    if exact:
        return None, TownChoices(
            N_("There is more than one place called “%(text)s”. Choose one, or None of these."),
            tuple(exact[:10]),
            text=text,
        )
    close = places.find_towns(country, text, region, limit=10)
    if close:
        return None, TownChoices(
            N_("We could not find “%(text)s” exactly. Did you mean one of these?"), tuple(close), text=text
        )
    return None, _not_found(text, country)


def _not_found(text: str, country: object) -> Message:
    return Message(
        N_("We could not find %(text)s in %(country)s. Check the spelling, or leave it blank to skip this question."),
        text=text[:TOWN_TEXT_MAX],
        country=country if isinstance(country, str) else "",
    )


def town_candidates(error: object, answers: Mapping[str, object]) -> tuple[places.Town, ...]:
    """The towns to choose from after an error, worked out again from the text it holds (the
    question page shows them after a redirect, when only the message was kept)."""
    if isinstance(error, TownChoices):
        return error.towns
    params = getattr(error, "params", None) or {}
    text = params.get("text") if isinstance(params, dict) else None
    if not text or "country" in params:
        return ()
    _value, again = validate_town([text], answers)
    return again.towns if isinstance(again, TownChoices) else ()
