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

from wizard.domain import places
from wizard.domain.audience import MYSELF, SOMEONE_ELSE, audience_of
from wizard.domain.journey import place_question_asked
from wizard.domain.matching import Matcher, Result
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


def place_sample(country: str) -> dict[str, str]:
    """The real region and town the walk can take for a country, by question kind: the country's
    most populous town in the gazetteer, and that town's region when the gazetteer knows it, else
    the country's first region in code order. Empty for "prefer not to say"; a country without
    regions or towns has no sample of that kind."""
    if country == PREFER_NOT_TO_SAY:
        return {}
    sample: dict[str, str] = {}
    town = places.most_populous_town(country)
    if town is not None:
        sample["town"] = town.id
    regions = sorted(code for code, _ in places.subdivisions(country, "en"))
    if town is not None and town.subdivision:
        sample["subdivision"] = town.subdivision
    elif regions:
        sample["subdivision"] = regions[0]
    return sample


def walk(book: Rulebook, matcher: Matcher | None = None, *, towns: bool = False) -> Iterator[dict[str, object]]:
    """Every combination of answers the walk takes (see the module's docstring), each as the
    answers on its path in the questions' order.

    Region and town are taken left blank and as "prefer not to say"; with `towns`, also as the
    country's sampled region and town (`place_sample`). No condition may test them (the loader
    refuses one), so they cannot change what matches: the sample shows that real places go
    through the walk, not every town (there are tens of thousands).
    """
    for group in _groups(book, matcher or Matcher(book), towns):
        yield from group


def walk_results(
    book: Rulebook, matcher: Matcher | None = None, *, towns: bool = False
) -> Iterator[tuple[dict[str, object], Result]]:
    """The walk's answers, each with what the matcher makes of them.

    Answers that differ only in the region and town share one match: no condition may test
    those (the loader refuses one), and a test matches every sampled place on its own to show
    that the result is the same.
    """
    matcher = matcher or Matcher(book)
    for group in _groups(book, matcher, towns):
        result = matcher.match(group[0])
        for answers in group:
            yield answers, result


def _groups(book: Rulebook, matcher: Matcher, towns: bool) -> Iterator[list[dict[str, object]]]:
    """The walk in groups of answers that differ only in the region and town."""
    countries = representative_countries(book)
    # Options offered to one audience only ("I do not know") are walked for that audience alone.
    profiles = {audience: multiple_profiles(book, audience) or [{}] for audience in AUDIENCES}
    counters = dict.fromkeys(AUDIENCES, 0)
    questions = book.questions
    multiples = [q.id for q in questions if q.kind == "multiple"]
    # Every answer the walk gives to each conditional single question, by audience: worked out once.
    conditional = [q for q in questions if q.ask_if is not None and q.kind not in ("multiple", *PLACE_KINDS)]
    values = {(q.id, a): _values(book, q, countries, a) for q in conditional for a in AUDIENCES}
    place_values = _place_values(book, countries, towns)
    # Multiple-choice questions with a skip condition: their answers are dropped where it fails.
    skippable = {q.id: q.ask_if for q in questions if q.kind == "multiple" and q.ask_if is not None}
    # The answers are put in the questions' order around the region and town: those before them,
    # then theirs, then the rest (or all in order where another question comes between the two).
    at = [n for n, q in enumerate(questions) if q.kind in PLACE_KINDS] or [len(questions)]
    together = all(q.kind in PLACE_KINDS for q in questions[at[0] : at[-1] + 1])
    if together:
        before, after = [q.id for q in questions[: at[0]]], [q.id for q in questions[at[-1] + 1 :]]
    else:
        before, after = [], [q.id for q in questions]

    # Each combination of single answers takes the next profile of its audience in turn.
    singles = [q for q in questions if q.kind not in ("multiple", *PLACE_KINDS)]
    for combo in _single_combinations(book, singles, countries):
        audience = audience_of(combo)
        profile = profiles[audience][counters[audience] % len(profiles[audience])]
        counters[audience] += 1
        answers = dict(combo)
        for qid in multiples:
            answers[qid] = profile[qid]
        # Branch on conditional single questions that these answers put on the path. Skip
        # conditions may only test earlier answers (the loader refuses others), so testing them
        # on all the answers gives what testing on the answers before them would.
        results = [answers]
        for question in conditional:
            expanded = []
            for partial in results:
                if question.ask_if.test(matcher.facts(partial)):
                    expanded.extend({**partial, question.id: v} for v in values[question.id, audience])
                else:
                    expanded.append(partial)
            results = expanded
        variants = place_values.get(answers.get("country"), [{}])
        for partial in results:
            # Every answer here is on the path (a conditional one was only given where its question
            # is asked) but a multiple-choice answer whose question is skipped.
            if skippable:
                facts = matcher.facts(partial)
                partial = {k: v for k, v in partial.items() if k not in skippable or skippable[k].test(facts)}
            # The answers in the questions' order, as the safety checks' reports list them.
            head = {qid: partial[qid] for qid in before if qid in partial}
            tail = {qid: partial[qid] for qid in after if qid in partial}
            if together:
                yield [{**head, **place, **tail} for place in variants]
            else:
                yield [{qid: full[qid] for qid in after if qid in full} for full in ({**tail, **p} for p in variants)]


def _place_values(book: Rulebook, countries: list[str], towns: bool) -> dict[str, list[dict[str, str]]]:
    """For each country of the walk, the region and town answers it takes, by question id: both
    left blank, both "prefer not to say", and (with `towns`) the country's sample."""
    asked = [q for q in book.questions if q.kind in PLACE_KINDS]
    out: dict[str, list[dict[str, str]]] = {}
    for country in countries:
        on_path = [q for q in asked if place_question_asked(q, {"country": country})]
        if not on_path:
            continue
        variants = [{q.id: value for q in on_path} for value in ("", PREFER_NOT_TO_SAY)]
        if towns:
            sample = place_sample(country)
            # A country with regions but no town in the gazetteer (or the other way round) leaves the other blank.
            sampled = {q.id: sample.get(q.kind, "") for q in on_path}
            if any(sampled.values()):
                variants.append(sampled)
        out[country] = variants
    return out


def _single_combinations(book, singles, countries) -> Iterator[dict[str, str]]:
    unconditional = [q for q in singles if q.ask_if is None]
    combos: list[dict[str, str]] = [{}]
    for question in unconditional:
        combos = [{**c, question.id: v} for c in combos for v in _values(book, question, countries, audience_of(c))]
    yield from combos


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
