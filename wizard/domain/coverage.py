"""Walk the answer space: every combination of single-choice answers, each
paired with one of a representative set of multiple-choice answers.

Countries are grouped into classes that the rules cannot tell apart: every
country that any rule, availability or service area names, plus one other
country per region, plus "prefer not to say".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import cycle

from wizard.domain.audience import MYSELF, SOMEONE_ELSE, audience_of
from wizard.domain.journey import Journey, place_question_asked
from wizard.domain.matching import Matcher
from wizard.domain.rulebook.conditions import Equals, In
from wizard.domain.rulebook.models import PLACE_KINDS, Question, Rulebook
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

AUDIENCES = (MYSELF, SOMEONE_ELSE)
# Routing only: the danger answer changes which page comes first, not what matches.
FIXED = {"danger": "not_now"}


def representative_countries(book: Rulebook) -> list[str]:
    """One country for each class of countries that the rules cannot tell apart.

    A country's class is its region plus every rule condition, availability and
    service area that names it; the first country of each class (by code) stands for
    the rest. Contacts differ by country but do not change what matches, so the
    safety checks look at every country's contacts separately.
    """
    places: list[tuple[frozenset[str], frozenset[str], frozenset[str]]] = []
    for rule in book.rules:
        for leaf in rule.when.leaves():
            if getattr(leaf, "answer", None) == "country" and isinstance(leaf, (Equals, In)):
                named = {leaf.value} if isinstance(leaf, Equals) else set(leaf.values)
                places.append((frozenset(named), frozenset(), frozenset()))
    areas = [a.only_in for a in book.approaches if a.only_in] + [
        o.service_area for o in book.organisations if o.service_area
    ]
    for area in areas:
        places.append((frozenset(area.countries), frozenset(area.regions), frozenset(area.except_countries)))
    classes: dict[tuple, str] = {}
    for country in sorted(book.countries, key=lambda c: c.code):
        signature = (
            country.region,
            tuple(
                (country.code in codes or country.region in regions) and country.code not in excepted
                for codes, regions, excepted in places
            ),
        )
        classes.setdefault(signature, country.code)
    return [*sorted(classes.values()), PREFER_NOT_TO_SAY]


def _options(question: Question, audience: str | None):
    return question.options if audience is None else question.options_for(audience)


def representative_sets(question: Question, audience: str | None = None) -> list[list[str]]:
    """Nothing, each option alone, and every non-exclusive option together (of the options offered
    to the audience, when one is given)."""
    options = _options(question, audience)
    sets: list[list[str]] = [] if question.required else [[]]
    sets += [[o.code] for o in options]
    together = [o.code for o in options if not o.exclusive]
    if len(together) > 1:
        sets.append(together)
    return sets


def _values(book: Rulebook, question: Question, countries: list[str], audience: str | None = None) -> list[str]:
    if question.id in FIXED:
        return [FIXED[question.id]]
    if question.kind == "country":
        return countries
    codes = [o.code for o in _options(question, audience)]
    return codes if question.required else [*codes, ""]


def multiple_profiles(book: Rulebook, audience: str | None = None) -> list[dict[str, list[str]]]:
    """Representative multiple-choice answers, zipped so each set appears at least once (for one
    audience's options, when one is given)."""
    multiples = [q for q in book.questions if q.kind == "multiple"]
    sets = {q.id: representative_sets(q, audience) for q in multiples}
    longest = max((len(s) for s in sets.values()), default=0)
    iters = {qid: cycle(s) for qid, s in sets.items()}
    return [{qid: next(it) for qid, it in iters.items()} for _ in range(longest)]


def walk(book: Rulebook, matcher: Matcher | None = None) -> Iterator[dict[str, object]]:
    matcher = matcher or Matcher(book)
    journey = Journey(book, matcher)
    countries = representative_countries(book)
    # Options offered to one audience only ("I do not know") are walked for that audience alone.
    profiles = {audience: multiple_profiles(book, audience) or [{}] for audience in AUDIENCES}
    counters = dict.fromkeys(AUDIENCES, 0)
    questions = book.questions

    # Each combination of single answers takes the next profile of its audience in turn.
    singles = [q for q in questions if q.kind not in ("multiple", *PLACE_KINDS)]
    for combo in _single_combinations(book, singles, countries):
        audience = audience_of(combo)
        profile = profiles[audience][counters[audience] % len(profiles[audience])]
        counters[audience] += 1
        answers = dict(combo)
        for question in questions:
            if question.kind == "multiple":
                answers[question.id] = profile[question.id]
        yield from _complete(journey, answers, book, countries)


def _single_combinations(book, singles, countries) -> Iterator[dict[str, str]]:
    unconditional = [q for q in singles if q.ask_if is None]
    combos: list[dict[str, str]] = [{}]
    for question in unconditional:
        combos = [{**c, question.id: v} for c in combos for v in _values(book, question, countries, audience_of(c))]
    yield from combos


def _complete(journey, answers, book, countries) -> Iterator[dict[str, object]]:
    """Branch on conditional single questions that these answers put on the path."""
    matcher = journey.matcher
    results = [dict(answers)]
    for question in journey.questions:
        if question.ask_if is None or question.kind == "multiple":
            continue
        expanded = []
        for partial in results:
            if question.ask_if.test(matcher.facts(partial)):
                values = _values(book, question, countries, audience_of(partial))
                expanded.extend({**partial, question.id: v} for v in values)
            else:
                expanded.append(partial)
        results = expanded
    # Region and town: no condition may test them (the loader refuses one), so they cannot change
    # what matches; the walk takes them as left blank and as "prefer not to say", together.
    asked = [q for q in journey.questions if q.kind in PLACE_KINDS]
    if asked:
        expanded = []
        for partial in results:
            on_path = [q.id for q in asked if place_question_asked(q, partial)]
            if not on_path:
                expanded.append(partial)
                continue
            for value in ("", PREFER_NOT_TO_SAY):
                expanded.append({**partial, **dict.fromkeys(on_path, value)})
        results = expanded
    for answers_ in results:
        # The kept answers in the questions' order, as the safety checks' reports list them.
        yield {q.id: answers_[q.id] for q in journey.walk(answers_).path if q.id in answers_}


@dataclass(frozen=True)
class Coverage:
    combinations: int
    counts: dict[str, int]


def coverage(book: Rulebook) -> Coverage:
    matcher = Matcher(book)
    counts = {a.id: 0 for a in book.approaches} | {o.id: 0 for o in book.organisations}
    total = 0
    for answers in walk(book, matcher):
        total += 1
        result = matcher.match(answers)
        for match in result.approaches + result.information:
            counts[match.approach.id] += 1
        for org in result.direct_help + result.information_bodies:
            counts[org.organisation.id] += 1
    return Coverage(total, counts)
