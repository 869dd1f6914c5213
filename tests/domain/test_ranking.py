"""The order of the approaches follows what the person said, for every answer combination.

The results page shows the first three approaches as cards and folds the rest away, so
the order decides what a person reads. These rules are proved over the whole answer space
(``coverage.walk``, plus every stated need with the answers that pile up the most points
elsewhere), then each is shown to fail on a rulebook with the rule broken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import product

import pytest

from wizard.domain.coverage import walk
from wizard.domain.matching import ApproachMatch, Matcher, Result
from wizard.domain.rulebook.conditions import Always
from wizard.domain.rulebook.models import Rulebook

TOP = 3
FIRST_STEPS = ("motivational-interviewing", "safer-use-education")
PREFERENCES = ("faith", "setting", "medication")

Answers = Mapping[str, object]
Check = Callable[[Answers, Result, "Kinds"], Iterator[str]]


class Kinds:
    """Which rules speak to a stated need, a stated preference, not being ready, or everyone."""

    def __init__(self, book: Rulebook):
        def tests(rule, questions) -> bool:
            return any(getattr(leaf, "answer", None) in questions for leaf in rule.when.leaves())

        self.needs = {r.id for r in book.rules if r.recommend and tests(r, ("needs",))}
        self.preferences = {r.id for r in book.rules if r.recommend and tests(r, PREFERENCES)}
        self.everyone = {r.id for r in book.rules if isinstance(r.when, Always)}
        self.lowering = {r.id for r in book.rules if r.lower is not None}

    def meets_need(self, match: ApproachMatch) -> bool:
        return any(r.rule in self.needs for r in match.reasons)

    def meets_preference(self, match: ApproachMatch) -> bool:
        return any(r.rule in self.preferences for r in match.reasons)

    def general_only(self, match: ApproachMatch) -> bool:
        return all(r.rule in self.everyone for r in match.reasons)

    def lowered(self, match: ApproachMatch) -> bool:
        return any(r.rule in self.lowering for r in match.reasons)

    def may_come_first(self, match: ApproachMatch, answers: Answers) -> bool:
        """Life-saving items, and the first steps for someone not ready yet, may outrank a stated need."""
        first_step = answers.get("readiness") == "not_sure" and match.approach.id in FIRST_STEPS
        return match.approach.life_saving or first_step


def _stated_needs(answers: Answers) -> set[str]:
    needs = answers.get("needs") or ()
    return set(needs) - {"prefer_not_to_say"}


# --- the rules ------------------------------------------------------------------------------


def needs_before_everything_else(answers: Answers, result: Result, kinds: Kinds) -> Iterator[str]:
    """An approach that meets a stated need is outranked only by life-saving items, the first
    steps for someone not ready, and approaches that meet a stated need too."""
    ranked = result.approaches
    for n, match in enumerate(ranked):
        if not kinds.meets_need(match) or kinds.lowered(match):
            continue
        for above in ranked[:n]:
            if not (kinds.meets_need(above) or kinds.may_come_first(above, answers)):
                yield f"{above.approach.id} outranks {match.approach.id}, which meets a stated need"


def a_stated_need_in_the_top_three(answers: Answers, result: Result, kinds: Kinds) -> Iterator[str]:
    """Where a need was stated and an approach meeting it is shown, one is in the top 3, unless
    only life-saving items and first steps come before it."""
    if not _stated_needs(answers):
        return
    ranked = result.approaches
    best = next((n for n, m in enumerate(ranked) if kinds.meets_need(m) and not kinds.lowered(m)), None)
    if best is None or best < TOP:
        return
    if not all(kinds.may_come_first(m, answers) for m in ranked[:best]):
        yield f"{ranked[best].approach.id} meets a stated need but is number {best + 1}"


def preferences_before_general_matches(answers: Answers, result: Result, kinds: Kinds) -> Iterator[str]:
    """An approach that meets a stated preference (faith, setting, medication) or need comes
    before every approach shown only because everyone gets it."""
    ranked = result.approaches
    for n, match in enumerate(ranked):
        if kinds.lowered(match) or not (kinds.meets_preference(match) or kinds.meets_need(match)):
            continue
        for above in ranked[:n]:
            if kinds.general_only(above):
                yield f"{above.approach.id}, which everyone gets, outranks {match.approach.id}"


def not_ready_first_steps_first(answers: Answers, result: Result, kinds: Kinds) -> Iterator[str]:
    """Not sure yet: motivational interviewing and safer use are the first two approaches."""
    if answers.get("readiness") != "not_sure":
        return
    first = {m.approach.id for m in result.approaches[:2]}
    if first != set(FIRST_STEPS):
        yield f"not sure yet, but the first two approaches are {sorted(first)}"


def not_ready_no_stay_in_the_top_three(answers: Answers, result: Result, kinds: Kinds) -> Iterator[str]:
    """Not sure yet: no approach that means staying at a centre is among the first three."""
    if answers.get("readiness") != "not_sure":
        return
    for match in result.approaches[:TOP]:
        if match.approach.setting == "inpatient":
            yield f"not sure yet, but {match.approach.id} is in the top {TOP}"


def secular_twelve_step_after_what_was_asked(answers: Answers, result: Result, kinds: Kinds) -> Iterator[str]:
    """Secular: 12-step groups never outrank an approach that meets a stated need or preference."""
    if answers.get("faith") != "secular":
        return
    ranked = [m.approach.id for m in result.approaches]
    if "twelve-step-fellowships" not in ranked:
        return
    position = ranked.index("twelve-step-fellowships")
    for match in result.approaches[position + 1 :]:
        if not kinds.lowered(match) and (kinds.meets_need(match) or kinds.meets_preference(match)):
            yield f"12-step groups outrank {match.approach.id}, though a secular approach was asked for"


RULES: tuple[Check, ...] = (
    needs_before_everything_else,
    a_stated_need_in_the_top_three,
    preferences_before_general_matches,
    not_ready_first_steps_first,
    not_ready_no_stay_in_the_top_three,
    secular_twelve_step_after_what_was_asked,
)


# --- the answer space -------------------------------------------------------------------------


def _piled_up(book: Rulebook) -> Iterator[dict[str, object]]:
    """Each need alone (and all together) against the answers that add the most points to other
    approaches: every substance, every kind of support, and every single-choice answer."""
    questions = {q.id: q for q in book.questions}
    needs = [[o.code] for o in questions["needs"].options if not o.exclusive]
    needs.append([code for [code] in needs])
    support = [o.code for o in questions["support"].options if not o.exclusive]
    substances = [o.code for o in questions["substances"].options if not o.exclusive]
    singles = ("readiness", "faith", "setting", "medication", "previous_treatment", "injecting")
    for values in product(*([o.code for o in questions[q].options] for q in singles)):
        for stated in needs:
            yield {
                "who": "myself",
                "country": "prefer_not_to_say",
                "danger": "not_now",
                "substances": substances,
                "support": support,
                "needs": stated,
                **dict(zip(singles, values, strict=True)),
            }


def answer_space(book: Rulebook) -> Iterator[Answers]:
    yield from walk(book)
    yield from _piled_up(book)


def problems(book: Rulebook, rules: tuple[Check, ...] = RULES, limit: int = 5) -> list[str]:
    matcher = Matcher(book)
    kinds = Kinds(book)
    found: list[str] = []
    for answers in answer_space(book):
        result = matcher.match(answers)
        for rule in rules:
            found.extend(f"{problem} for {dict(answers)}" for problem in rule(answers, result, kinds))
        if len(found) >= limit:
            break
    return found[:limit]


def test_the_order_follows_what_was_said_for_every_answer(rulebook):
    assert problems(rulebook, limit=20) == []


def test_the_rules_speak_to_something(rulebook):
    kinds = Kinds(rulebook)
    assert {"women-and-childcare", "cost", "mental-health"} <= kinds.needs
    assert {"secular", "faith-based", "inpatient", "outpatient", "open-to-medication"} <= kinds.preferences
    assert {"counselling-for-everyone", "plans-fit-the-person"} <= kinds.everyone


# --- each rule fails when it is broken -----------------------------------------------------------


def with_scores(book: Rulebook, **scores: int) -> Rulebook:
    changes = {rule_id.replace("_", "-"): score for rule_id, score in scores.items()}
    assert changes.keys() <= {r.id for r in book.rules}
    rules = tuple(r.model_copy(update={"score": changes[r.id]}) if r.id in changes else r for r in book.rules)
    return book.model_copy(update={"rules": rules})


def without(book: Rulebook, rule_id: str) -> Rulebook:
    assert any(r.id == rule_id for r in book.rules)
    return book.model_copy(update={"rules": tuple(r for r in book.rules if r.id != rule_id)})


@pytest.mark.parametrize(
    ("rule", "broken"),
    [
        # A need worth no more than wanting to stop: detox and aftercare come first.
        (needs_before_everything_else, lambda book: with_scores(book, women_and_childcare=15)),
        (a_stated_need_in_the_top_three, lambda book: with_scores(book, women_and_childcare=15)),
        # What everyone gets outweighing a stated preference, as counselling did before.
        (preferences_before_general_matches, lambda book: with_scores(book, counselling_for_everyone=30)),
        (not_ready_first_steps_first, lambda book: with_scores(book, not_sure_yet=30)),
        (not_ready_no_stay_in_the_top_three, lambda book: without(book, "not-sure-residential-later")),
        (secular_twelve_step_after_what_was_asked, lambda book: without(book, "secular-twelve-step-later")),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_each_rule_fails_when_broken(rulebook, rule, broken):
    # The intact rulebook passes every rule (the test above); broken, this one fails.
    assert problems(broken(rulebook), (rule,), limit=1) != []
