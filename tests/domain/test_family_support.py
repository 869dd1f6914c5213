"""Support for you: what a family member or friend is shown about their own support, and when."""

from __future__ import annotations

import itertools

import pytest
import textstat

from wizard.domain.audience import SOMEONE_ELSE
from wizard.domain.coverage import walk

THEIRS = {"who": "someone_else", "country": "US", "danger": "not_now", "readiness": "stop"}
NOT_READY = {**THEIRS, "readiness": "not_sure"}


@pytest.fixture(scope="module")
def walked_results(rulebook, matcher):
    """Every 25th answer set of the whole answer space (both audiences, every readiness)."""
    return [(a, matcher.match(a)) for a in itertools.islice(walk(rulebook, matcher), 0, None, 25)]


def ids(items) -> list[str]:
    return [i.id for i in items]


def test_nothing_is_shown_when_the_help_is_for_oneself(matcher):
    assert matcher.match({**NOT_READY, "who": "myself"}).family_support == ()
    assert matcher.match({}).family_support == ()


def test_a_family_member_gets_support_for_themselves_without_the_talking_guidance(rulebook, matcher):
    shown = matcher.match(THEIRS).family_support
    assert {i.topic for i in shown} == {"for_you"}
    assert ids(shown) == [i.id for i in rulebook.family_support if i.topic == "for_you"]


def test_someone_who_is_not_ready_brings_how_to_talk_with_them(rulebook, matcher):
    shown = matcher.match(NOT_READY).family_support
    talking = [i.id for i in shown if i.topic == "talking"]
    assert talking and "forcing-does-not-work" in talking
    # Everything in the file fits someone who is not ready.
    assert ids(shown) == ids(rulebook.family_support)


def test_every_item_says_where_it_comes_from(rulebook):
    for item in rulebook.family_support:
        assert bool(item.citations) != bool(item.source), item.id
        if item.source:
            assert item.publisher and item.checked, item.id


def test_every_item_is_plain_and_speaks_to_the_family_member(rulebook):
    for item in rulebook.family_support:
        assert textstat.flesch_kincaid_grade(item.text) <= 8.5, item.id
        # "the documents" means nothing to a worried parent; the source line says where it is from.
        assert "document" not in item.text.lower(), item.id
        assert "addict " not in f"{item.text.lower()} ", item.id


def test_the_support_follows_who_the_help_is_for_in_the_whole_answer_space(walked_results):
    for answers, result in walked_results:
        assert bool(result.family_support) == (answers["who"] == SOMEONE_ELSE), answers
        talking = any(i.topic == "talking" for i in result.family_support)
        assert talking == (answers["who"] == SOMEONE_ELSE and answers.get("readiness") == "not_sure"), answers
