"""The answer-space walk: the same answer sets as the plain walk over the journey, sampled real places,
and one match shared by answers that differ only in the region and town."""

from __future__ import annotations

import itertools

import pytest

from wizard.domain import places
from wizard.domain.audience import audience_of
from wizard.domain.coverage import (
    AUDIENCES,
    _single_combinations,
    _values,
    multiple_profiles,
    place_sample,
    representative_countries,
    walk,
    walk_results,
)
from wizard.domain.journey import Journey, place_answer_valid, place_question_asked
from wizard.domain.rulebook.models import PLACE_KINDS
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

# On the shipped rules before the walk was made quicker: 69,846 answer sets, and the SHA-256 of
# their JSON lines in order 92038a49...; the plain walk below gives the same, and so does `walk`.


def plain_walk(book, matcher):
    """The walk as it was first written: every answer set asks `Journey.walk` for its path. Slow,
    and plainly right: the quicker walk must give exactly what this gives, in the same order."""
    journey = Journey(book, matcher)
    countries = representative_countries(book)
    profiles = {audience: multiple_profiles(book, audience) or [{}] for audience in AUDIENCES}
    counters = dict.fromkeys(AUDIENCES, 0)
    singles = [q for q in book.questions if q.kind not in ("multiple", *PLACE_KINDS)]
    for combo in _single_combinations(book, singles, countries):
        audience = audience_of(combo)
        profile = profiles[audience][counters[audience] % len(profiles[audience])]
        counters[audience] += 1
        answers = dict(combo)
        for question in book.questions:
            if question.kind == "multiple":
                answers[question.id] = profile[question.id]
        results = [answers]
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
        asked = [q for q in journey.questions if q.kind in PLACE_KINDS]
        expanded = []
        for partial in results:
            on_path = [q.id for q in asked if place_question_asked(q, partial)]
            if not on_path:
                expanded.append(partial)
                continue
            for value in ("", PREFER_NOT_TO_SAY):
                expanded.append({**partial, **dict.fromkeys(on_path, value)})
        for answers_ in expanded:
            yield {q.id: answers_[q.id] for q in journey.walk(answers_).path if q.id in answers_}


def sampled(answers) -> bool:
    return any(answers.get(qid) not in (None, "", PREFER_NOT_TO_SAY) for qid in ("subdivision", "town"))


@pytest.fixture(scope="module")
def with_towns(rulebook, matcher):
    return list(walk_results(rulebook, matcher, towns=True))


def test_the_walk_gives_what_the_plain_walk_gives_in_the_same_order(rulebook, matcher):
    quick = list(walk(rulebook, matcher))
    plain = list(plain_walk(rulebook, matcher))
    assert quick == plain
    # The key order of each answer set (the questions' order) is the same too.
    assert all(list(a) == list(b) for a, b in zip(quick, plain, strict=True))


def test_sampled_places_only_add_answer_sets(rulebook, matcher, with_towns):
    assert [a for a, _ in with_towns if not sampled(a)] == list(walk(rulebook, matcher))


def test_every_country_with_places_is_walked_with_its_sample(rulebook, with_towns):
    walked = {(a["country"], a.get("subdivision"), a.get("town")) for a, _ in with_towns if sampled(a)}
    expected = set()
    for country in representative_countries(rulebook):
        sample = place_sample(country)
        if sample:
            region = sample.get("subdivision", "") if places.subdivisions_exist(country) else None
            expected.add((country, region, sample.get("town", "")))
    assert walked == expected
    assert ("US", "US-NY", "5128581") in walked  # New York City, in New York
    assert ("PT", "PT-01", "2267057") in walked  # Lisbon: GeoNames does not give Portuguese regions


def test_the_sampled_places_are_answers_a_person_could_give(rulebook, with_towns):
    questions = {q.id: q for q in rulebook.questions}
    for answers, _ in with_towns:
        if sampled(answers):
            for qid in ("subdivision", "town"):
                if qid in answers:
                    assert place_answer_valid(questions[qid], answers[qid], answers), answers
            town = places.town_by_id(answers.get("town", ""))
            if town and town.subdivision:
                assert answers.get("subdivision") == town.subdivision


def test_the_region_and_town_do_not_change_what_matches(matcher, with_towns):
    """Each answer set matched on its own gives the result the walk shared with the same answers
    without a place: so no region or town of the sample changes what matches."""
    checked = set()
    for answers, result in itertools.islice(with_towns, 0, None, 7):
        assert matcher.match(answers) == result, answers
        if sampled(answers):
            blank = {qid: ("" if qid in ("subdivision", "town") else value) for qid, value in answers.items()}
            assert matcher.match(blank) == result, answers
            checked.add(answers["country"])
    assert checked == {a["country"] for a, _ in with_towns if sampled(a)}
