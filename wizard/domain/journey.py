"""The path through the questions, worked out from the answers every time.

Answers are a plain mapping of question id -> option code (single and
country questions) or list of codes (multiple). A key that is present with
an empty value means "seen and left blank" for an optional question.
Nothing here knows about Flask, so the same rules drive the step-by-step
journey, the one-page form and the JSON API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wizard.domain.matching import Matcher
from wizard.domain.messages import N_, Message
from wizard.domain.rulebook.loader import PREFER_NOT_TO_SAY
from wizard.domain.rulebook.models import Question, Rulebook, words_for

Answers = dict[str, object]


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    hint: str = ""
    exclusive: bool = False


class Journey:
    def __init__(self, rulebook: Rulebook, matcher: Matcher):
        self.rulebook = rulebook
        self.matcher = matcher
        self.questions = rulebook.questions
        self.by_id = {q.id: q for q in rulebook.questions}
        countries = sorted(rulebook.countries, key=lambda c: c.name.casefold())
        self.country_choices = (
            *(Choice(c.code, c.name) for c in countries),
            Choice(PREFER_NOT_TO_SAY, N_("Prefer not to say")),
        )
        self.country_codes = frozenset(c.code for c in self.country_choices)

    # --- the path -------------------------------------------------------------------

    def path(self, answers: Mapping[str, object]) -> list[Question]:
        """Questions to ask for these answers. Skip conditions only look backwards,
        so one pass in order is enough."""
        kept: dict[str, object] = {}
        path = []
        for question in self.questions:
            if question.ask_if is not None and not question.ask_if.test(self.matcher.facts(kept)):
                continue
            path.append(question)
            if question.id in answers:
                kept[question.id] = answers[question.id]
        return path

    def clean(self, answers: Mapping[str, object]) -> Answers:
        """Drop answers to questions that are no longer on the path, and anything unknown."""
        on_path = {q.id for q in self.path(answers)}
        return {qid: value for qid, value in answers.items() if qid in on_path}

    def next_question(self, answers: Mapping[str, object]) -> Question | None:
        return next((q for q in self.path(answers) if q.id not in answers), None)

    def previous_question(self, question_id: str, answers: Mapping[str, object]) -> Question | None:
        path = self.path(answers)
        ids = [q.id for q in path]
        if question_id not in ids:
            return None
        position = ids.index(question_id)
        return path[position - 1] if position > 0 else None

    def question_number(self, question_id: str, answers: Mapping[str, object]) -> int:
        """Where the question is on the path these answers make, from 1; 0 if it is not on it."""
        ids = [q.id for q in self.path(answers)]
        return ids.index(question_id) + 1 if question_id in ids else 0

    def is_complete(self, answers: Mapping[str, object]) -> bool:
        return self.next_question(answers) is None

    def in_crisis(self, answers: Mapping[str, object]) -> bool:
        return any(option.crisis and answers.get(q.id) == option.code for q in self.questions for option in q.options)

    # --- options and validation --------------------------------------------------------

    def choices(self, question: Question, audience: str) -> tuple[Choice, ...]:
        if question.kind == "country":
            return self.country_choices
        return tuple(
            Choice(o.code, words_for(o.label, audience), words_for(o.hint, audience), o.exclusive)
            for o in question.options
        )

    def valid_codes(self, question: Question) -> frozenset[str]:
        if question.kind == "country":
            return self.country_codes
        return frozenset(o.code for o in question.options)

    def validate(self, question: Question, submitted: list[str], audience: str) -> tuple[object, str | None]:
        """Turn submitted form values into an answer, or an error message.

        Any value that is not an option code (a forged or stale form) is
        treated like no answer, so it gets the normal message, never a crash.
        """
        codes = self.valid_codes(question)
        chosen = [value for value in dict.fromkeys(submitted) if value in codes]
        forged = len(chosen) != len([v for v in submitted if v != ""])
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

    def required_message(self, question: Question, audience: str) -> str:
        return Message(words_for(question.error, audience) or N_("Select an answer to continue"))

    def sanitise(self, answers: object) -> Answers:
        """Keep only well-formed answers (for state read back from a cookie or a client)."""
        if not isinstance(answers, dict):
            return {}
        clean: Answers = {}
        for qid, value in answers.items():
            question = self.by_id.get(qid)
            if question is None:
                continue
            codes = self.valid_codes(question)
            if question.kind == "multiple":
                if isinstance(value, list) and all(isinstance(v, str) and v in codes for v in value):
                    clean[qid] = list(value)
            elif isinstance(value, str) and (value in codes or (value == "" and not question.required)):
                clean[qid] = value
        return self.clean(clean)

    # --- describing answers ----------------------------------------------------------------

    def audience(self, answers: Mapping[str, object]) -> str:
        return "someone_else" if answers.get("who") == "someone_else" else "myself"

    def answer_labels(self, question: Question, value: object, audience: str) -> list[str]:
        labels = {c.code: c.label for c in self.choices(question, audience)}
        if isinstance(value, list):
            return [labels[v] for v in value if v in labels] or [N_("Not answered")]
        if value in labels:
            return [labels[value]]
        return [N_("Not answered")]
