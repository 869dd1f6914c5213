"""The path through the questions, recomputed from the answers."""

from __future__ import annotations

import pytest

from wizard.domain.journey import Journey


@pytest.fixture(scope="module")
def journey(rulebook, matcher):
    return Journey(rulebook, matcher)


def ids(questions):
    return [q.id for q in questions]


def test_injecting_is_asked_only_about_drugs(journey):
    assert "injecting" not in ids(journey.path({"substances": ["alcohol"]}))
    assert "injecting" in ids(journey.path({"substances": ["alcohol", "opioids"]}))
    assert "injecting" not in ids(journey.path({}))


def test_answers_that_leave_the_path_are_dropped(journey):
    answers = {"who": "myself", "substances": ["alcohol"], "injecting": "injects", "faith": "secular"}
    assert journey.clean(answers) == {"who": "myself", "substances": ["alcohol"], "faith": "secular"}


def test_next_question_is_the_first_unanswered_on_the_path(journey):
    assert journey.next_question({}).id == "who"
    assert journey.next_question({"who": "myself"}).id == "country"
    # A blank optional answer counts as answered.
    answers = {"who": "myself", "country": "GB", "danger": "not_now", "substances": []}
    assert journey.next_question(answers).id == "readiness"


def test_previous_question_follows_the_path(journey):
    answers = {"who": "myself", "country": "GB", "danger": "not_now", "substances": ["alcohol"]}
    assert journey.previous_question("readiness", answers).id == "substances"
    answers["substances"] = ["opioids"]
    assert journey.previous_question("readiness", answers).id == "injecting"
    assert journey.previous_question("who", answers) is None


def test_crisis_answer_is_detected(journey):
    assert journey.in_crisis({"danger": "danger_now"})
    assert not journey.in_crisis({"danger": "not_now"})


@pytest.mark.parametrize(
    ("qid", "submitted", "value", "error"),
    [
        ("who", ["myself"], "myself", None),
        ("who", [], None, "Select who you are looking for help for"),
        ("who", ["root"], None, "Select who you are looking for help for"),
        ("who", ["myself", "someone_else"], None, "Select who you are looking for help for"),
        ("country", ["NO"], "NO", None),
        ("country", ["prefer_not_to_say"], "prefer_not_to_say", None),
        ("country", ["XK"], None, "Select the country you are in, or Prefer not to say"),
        ("needs", ["stigma", "cost"], ["cost", "stigma"], None),  # stored in option order
        ("needs", [], [], None),
        (
            "needs",
            ["cost", "prefer_not_to_say"],
            None,
            "“Prefer not to say” cannot be chosen together with other answers",
        ),
        ("needs", ["cost", "DROP TABLE"], None, "Select from the options shown"),
        ("injecting", [], "", None),
    ],
)
def test_validation(journey, qid, submitted, value, error):
    question = journey.by_id[qid]
    got_value, got_error = journey.validate(question, submitted, "myself")
    assert got_value == value
    assert (got_error.english() if got_error else None) == error


def test_sanitise_keeps_only_well_formed_answers(journey):
    raw = {"who": "myself", "country": 7, "faith": "secular", "needs": ["cost", 3], "x": "y", "support": "peer_groups"}
    assert journey.sanitise(raw) == {"who": "myself", "faith": "secular"}
    assert journey.sanitise("not a dict") == {}
    assert journey.sanitise(None) == {}


def test_country_choices_are_sorted_and_end_with_prefer_not_to_say(journey):
    names = [c.label for c in journey.country_choices[:-1]]
    assert names == sorted(names, key=str.casefold)
    assert journey.country_choices[-1].code == "prefer_not_to_say"
    assert len(journey.country_choices) > 240
