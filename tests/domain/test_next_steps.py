"""The line a page offers first, proved over every country's checked helplines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from wizard.domain.next_steps import first_line, services_by_approach
from wizard.domain.rulebook.models import Helpline


def countries_with_lines(rulebook):
    return [c.country for c in rulebook.contacts if any(line.phone for line in c.helplines)]


def results(matcher, rulebook):
    for country in countries_with_lines(rulebook):
        for who in ("myself", "someone_else"):
            for danger in ("danger_now", "not_now"):
                yield matcher.match({"who": who, "country": country, "danger": danger})


def test_a_person_in_danger_is_offered_a_crisis_line_first_wherever_there_is_one(matcher, rulebook):
    checked = 0
    for result in results(matcher, rulebook):
        line = first_line(result)
        assert line is not None and line.phone
        crisis_lines = [h for h in result.contacts.helplines if h.kind == "crisis" and h.phone]
        if result.crisis and crisis_lines:
            assert line.kind == "crisis", (result.contacts.country, line.name)
            checked += 1
    assert checked >= 20


def test_a_person_not_in_danger_gets_a_line_meant_for_them_before_a_crisis_line(matcher, rulebook):
    for result in results(matcher, rulebook):
        if result.crisis:
            continue
        line = first_line(result)
        others = [h for h in result.contacts.helplines if h.phone and h.kind != "crisis"]
        if others:
            assert line.kind != "crisis", (result.contacts.country, line.name)
        if result.audience == "someone_else":
            for_family = [h for h in others if "family_and_friends" in h.for_whom or "anyone" in h.for_whom]
            if for_family:
                assert "family_and_friends" in line.for_whom or "anyone" in line.for_whom


def test_no_country_no_line(matcher):
    assert first_line(matcher.match({"who": "myself", "country": "prefer_not_to_say", "danger": "not_now"})) is None


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_line_that_answers_in_the_page_language_comes_first_among_equals(matcher, language):
    # Canada's 9-8-8 says it answers in English and French: it stays first in both.
    result = matcher.match({"who": "myself", "country": "CA", "danger": "danger_now"})
    line = first_line(result, language)
    assert line.kind == "crisis" and language in line.languages


class _Listing:
    def __init__(self, approaches):
        self.approaches = frozenset(approaches)


class _Shown:
    def __init__(self, *approaches):
        self.listing = _Listing(approaches)


def test_each_approach_gets_the_best_ranked_service_that_offers_it():
    first, second = _Shown("detox"), _Shown("detox", "naloxone")
    found = services_by_approach(["detox", "naloxone", "telehealth"], [first, second])
    assert found == {"detox": first, "naloxone": second}


def _line(name, kind, for_whom, hours="24/7"):
    return Helpline(
        name=name,
        kind=kind,
        phone="0800 123 456",
        hours=hours,
        cost="free",
        for_whom=for_whom,
        description="A line.",
        source="https://example.org/line",
        checked="2026-12-01",
    )


@pytest.mark.parametrize(("who", "expected"), [("myself", "Drug line"), ("someone_else", "Family line")])
def test_the_line_meant_for_the_reader_comes_first(matcher, who, expected):
    result = matcher.match({"who": who, "country": "GB", "danger": "not_now"})
    lines = (
        _line("Crisis line", "crisis", ("anyone",)),
        _line("Family line", "family", ("family_and_friends",)),
        _line("Drug line", "information", ("people_who_use_drugs",)),
    )
    result = replace(result, contacts=result.contacts.model_copy(update={"helplines": lines}))
    assert first_line(result).name == expected
    assert first_line(replace(result, crisis=True)).name == "Crisis line"
