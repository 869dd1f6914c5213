"""The path through the questions: one walk over them gives the path and all that follows from it."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.support.answers import FULL
from wizard.domain import coverage
from wizard.domain.journey import Journey, place_question_asked


@pytest.fixture(scope="module")
def journey(rulebook, matcher):
    return Journey(rulebook, matcher)


def ids(questions):
    return [q.id for q in questions]


def test_injecting_is_asked_only_about_drugs(journey):
    assert "injecting" not in ids(journey.walk({"substances": ["alcohol"]}).path)
    assert "injecting" in ids(journey.walk({"substances": ["alcohol", "opioids"]}).path)
    assert "injecting" not in ids(journey.walk({}).path)


def test_answers_that_leave_the_path_are_dropped(journey):
    answers = {"who": "myself", "substances": ["alcohol"], "injecting": "injects", "faith": "secular"}
    assert journey.walk(answers).answers == {"who": "myself", "substances": ["alcohol"], "faith": "secular"}


def test_kept_answers_keep_the_order_they_were_given_in(journey):
    # The cookie's order, not the questions': what is stored back does not move about.
    answers = {"faith": "secular", "who": "myself", "injecting": "injects"}
    assert list(journey.walk(answers).answers) == ["faith", "who"]


def test_next_question_is_the_first_unanswered_on_the_path(journey):
    assert journey.walk({}).next_question.id == "who"
    assert journey.walk({"who": "myself"}).next_question.id == "country"
    # A blank optional answer counts as answered.
    answers = {"who": "myself", "country": "GB", "danger": "not_now"}
    assert journey.walk(answers).next_question.id == "subdivision"
    answers |= {"subdivision": "", "town": "", "substances": []}
    assert journey.walk(answers).next_question.id == "readiness"
    # No country, no region or town question.
    skipped = {"who": "myself", "country": "prefer_not_to_say", "danger": "not_now"}
    assert journey.walk(skipped).next_question.id == "substances"


def test_previous_question_follows_the_path(journey):
    answers = {"who": "myself", "country": "GB", "danger": "not_now", "substances": ["alcohol"]}
    assert journey.walk(answers).previous_before("readiness").id == "substances"
    answers["substances"] = ["opioids"]
    walk = journey.walk(answers)
    assert walk.previous_before("readiness").id == "injecting"
    assert walk.previous_before("who") is None
    assert walk.previous_before("not-a-question") is None


def test_a_question_is_numbered_by_its_place_on_the_path(journey):
    walk = journey.walk({"substances": ["alcohol"]})
    assert walk.number_of("who") == 1
    assert walk.number_of("readiness") == walk.number_of("substances") + 1
    assert walk.number_of("injecting") == 0  # not on the path


def test_reachable_questions_go_up_to_the_first_unanswered_one(journey):
    walk = journey.walk({"who": "myself"})
    assert walk.reachable("who") and walk.reachable("country")
    assert not walk.reachable("danger")  # beyond the first unanswered question
    assert not journey.walk({"substances": ["alcohol"]}).reachable("injecting")  # off the path
    assert journey.walk(FULL).reachable("needs")


def test_complete_only_when_every_question_on_the_path_is_answered(journey):
    assert journey.walk(FULL).complete
    assert journey.walk({**FULL, "substances": ["alcohol"]}).complete  # injecting is off the path
    assert not journey.walk({k: v for k, v in FULL.items() if k != "needs"}).complete


def test_crisis_answer_is_detected(journey):
    assert journey.walk({"danger": "danger_now"}).crisis
    assert not journey.walk({"danger": "not_now"}).crisis


def test_the_audience_follows_the_who_answer(journey):
    assert journey.walk({"who": "someone_else"}).audience == "someone_else"
    assert journey.walk({"who": "myself"}).audience == "myself"
    assert journey.walk({}).audience == "myself"


def test_a_step_answers_its_question_and_walks_on(journey):
    answers = {k: v for k, v in FULL.items() if k not in ("injecting", "readiness")} | {"substances": ["alcohol"]}
    step = journey.walk(answers).step("substances")
    assert step.number == 6 and step.previous.id == "town"
    walk, error = step.submit(["opioids"])
    assert error is None
    # Injecting is on the path now, and it is the next question; later answers are kept.
    assert walk.next_question.id == "injecting"
    assert walk.answers["faith"] == "secular"
    assert walk == journey.walk({**answers, "substances": ["opioids"]})


def test_a_step_with_a_bad_answer_gives_the_message_and_no_walk(journey):
    walk, error = journey.walk({}).step("who").submit(["root"])
    assert walk is None and error.english() == "Select who you are looking for help for"
    assert journey.walk({}).step("not-a-question") is None


def test_changing_an_answer_drops_answers_that_leave_the_path(journey):
    walk, _ = journey.walk(FULL).step("substances").submit(["alcohol"])
    assert "injecting" not in walk.answers
    assert walk == journey.walk({**FULL, "substances": ["alcohol"]})


def test_reading_a_form_validates_only_the_questions_on_its_path(journey):
    form = MultiDict(
        {**{k: v for k, v in FULL.items() if not isinstance(v, list)}, "injecting": "forged", "faith": "x"}
    )
    form.setlist("substances", ["alcohol"])
    reading = journey.read_form(form)
    # The forged injecting answer is off the path (alcohol only), so it is no problem.
    assert [p.question.id for p in reading.problems] == ["faith"]
    assert reading.problems[0].href == "#faith-" + journey.by_id["faith"].options[0].code
    assert "injecting" not in reading.walk.answers and "faith" not in reading.walk.answers
    assert reading.walk.answers["substances"] == ["alcohol"]


# --- the walk does what the separate path functions did, over the whole answer space ---------


def _old_path(journey, answers):
    kept, path = {}, []
    for question in journey.questions:
        if question.ask_if is not None and not question.ask_if.test(journey.matcher.facts(kept)):
            continue
        if question.kind in ("subdivision", "town") and not place_question_asked(question, kept):
            continue
        path.append(question)
        if question.id in answers:
            kept[question.id] = answers[question.id]
    return path


def _old_next(journey, answers):
    return next((q for q in _old_path(journey, answers) if q.id not in answers), None)


def _old_crisis(journey, answers):
    return any(option.crisis and answers.get(q.id) == option.code for q in journey.questions for option in q.options)


def _noisy(journey, answers):
    """The answers with every other question answered too (off the path, or not yet reached)."""
    extra = {
        q.id: [q.options[0].code] if q.kind == "multiple" else (q.options[0].code if q.options else "GB")
        for q in journey.questions
    }
    return {**extra, **answers}


def test_the_walk_matches_the_old_path_over_the_answer_space(journey, rulebook, matcher):
    checked = 0
    for number, answers in enumerate(coverage.walk(rulebook, matcher)):
        variants = [_noisy(journey, answers)]
        if number % 10 == 0:  # a sample of unfinished and crisis answers is enough, and keeps this quick
            variants += [answers, dict(list(answers.items())[: len(answers) // 2]), {**answers, "danger": "danger_now"}]
        for given in variants:
            walk = journey.walk(given)
            path = _old_path(journey, given)
            on_path = {q.id for q in path}
            assert walk.path == tuple(path), given
            assert walk.answers == {k: v for k, v in given.items() if k in on_path}, given
            assert walk.next_question == _old_next(journey, given), given
            assert walk.crisis == _old_crisis(journey, given), given
            checked += 1
    assert checked > 30_000


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
    assert journey.sanitise(raw).answers == {"who": "myself", "faith": "secular"}
    assert journey.sanitise("not a dict").answers == {}
    assert journey.sanitise(None).answers == {}


def test_sanitise_drops_well_formed_answers_off_the_path(journey):
    raw = {"who": "myself", "substances": ["alcohol"], "injecting": "injects"}
    assert journey.sanitise(raw).answers == {"who": "myself", "substances": ["alcohol"]}


def test_country_choices_are_sorted_and_end_with_prefer_not_to_say(journey):
    names = [c.label for c in journey.country_choices[:-1]]
    assert names == sorted(names, key=str.casefold)
    assert journey.country_choices[-1].code == "prefer_not_to_say"
    assert len(journey.country_choices) > 240


# --- "I do not know": offered only when the help is for someone else ----------------------------

NOT_KNOWN_QUESTIONS = ("substances", "injecting", "previous_treatment")


@pytest.mark.parametrize("qid", NOT_KNOWN_QUESTIONS)
def test_i_do_not_know_is_offered_to_someone_else_only(journey, qid):
    question = journey.by_id[qid]
    assert "dont_know" in [c.code for c in journey.choices(question, "someone_else")]
    assert "dont_know" not in [c.code for c in journey.choices(question, "myself")]
    # A form that does not know yet who the help is for lists it, saying whom it is for.
    every = {c.code: c for c in journey.choices(question, None)}
    assert every["dont_know"].audience == "someone_else"
    assert every["dont_know"].hint == "Only if the help is for someone else"


@pytest.mark.parametrize("qid", NOT_KNOWN_QUESTIONS)
def test_a_forged_i_do_not_know_is_refused_with_a_clear_message(journey, qid):
    question = journey.by_id[qid]
    value, error = journey.validate(question, ["dont_know"], "myself", {"who": "myself"})
    assert value is None
    assert error.english() == "“I do not know” can only be chosen when the help is for someone else"
    value, error = journey.validate(question, ["dont_know"], "someone_else", {"who": "someone_else"})
    assert error is None and value in ("dont_know", ["dont_know"])


def test_i_do_not_know_cannot_be_combined_with_a_substance(journey):
    question = journey.by_id["substances"]
    _value, error = journey.validate(question, ["dont_know", "opioids"], "someone_else")
    assert error is not None and "cannot be chosen together" in error


def test_changing_who_to_myself_drops_i_do_not_know_and_asks_again(journey):
    walk = journey.walk({"who": "someone_else", "country": "GB", "danger": "not_now", "substances": ["dont_know"]})
    assert walk.answers["substances"] == ["dont_know"]
    changed = walk.with_answer("who", "myself")
    assert "substances" not in changed.answers
    assert changed.next_question.id in ("subdivision", "substances")
    assert "substances" not in journey.walk({**walk.answers, "who": "myself"}).answers


def test_stored_i_do_not_know_is_kept_for_someone_else_only(journey):
    stored = {"who": "myself", "previous_treatment": "dont_know", "injecting": "dont_know"}
    assert journey.well_formed(stored) == {"who": "myself"}
    theirs = {**stored, "who": "someone_else"}
    assert journey.well_formed(theirs) == theirs


def test_the_one_page_form_refuses_i_do_not_know_for_oneself(journey):
    form = MultiDict({**{k: v for k, v in FULL.items() if not isinstance(v, list)}, "previous_treatment": "dont_know"})
    reading = journey.read_form(form)
    problems = {p.question.id: p.error for p in reading.problems}
    assert (
        problems["previous_treatment"].english()
        == "“I do not know” can only be chosen when the help is for someone else"
    )
    reading = journey.read_form(MultiDict({**form.to_dict(), "who": "someone_else"}))
    assert "previous_treatment" not in {p.question.id for p in reading.problems}
    assert reading.walk.answers["previous_treatment"] == "dont_know"
