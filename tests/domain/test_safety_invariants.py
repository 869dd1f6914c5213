"""The safety invariants hold for every answer combination, and each one catches its defect.

Each invariant is proved over the whole answer space (``safety.violations`` walks it),
then shown to fail on a rulebook with one deliberate defect: the defects the content
review found (SC-1, M-2, M-4, M-8, L-1), restored one at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from wizard.domain import matching as engine
from wizard.domain import safety as s
from wizard.domain.rulebook import models


def problems_for(book, number: int, limit: int = 5) -> list[str]:
    invariant = next(i for i in s.INVARIANTS if i.number == number)
    return [problem for _, _, problem in s.violations(book, (invariant,), limit=limit)]


def replace_item(items: tuple, item_id: str, **changes) -> tuple:
    assert any(getattr(x, "id", None) == item_id for x in items), item_id
    return tuple(x.model_copy(update=changes) if getattr(x, "id", None) == item_id else x for x in items)


def test_every_invariant_holds_for_every_answer(rulebook):
    problems = [f"[{i.number}] {problem} for {answers}" for i, answers, problem in s.violations(rulebook)]
    assert problems == []


def test_the_walk_includes_the_answers_the_review_found_unsafe(rulebook):
    """S09, S11, S20, S21 and S01 of the review: opioids with "no medication", or injecting not said."""
    from wizard.domain.coverage import walk

    seen = list(walk(rulebook))
    assert any("opioids" in a["substances"] and a.get("medication") == "not_open" for a in seen)
    assert any(a.get("injecting") == "prefer_not_to_say" and a["country"] == "CA" for a in seen)
    assert any(a["substances"] == ["prefer_not_to_say"] for a in seen)


# --- each invariant fails when its rule is broken ------------------------------------------


def test_1_fails_when_no_medication_hides_naloxone(rulebook):
    # SC-1 again: naloxone treated as a medication treatment that "no medication" leaves out.
    broken = rulebook.model_copy(
        update={"approaches": replace_item(rulebook.approaches, "naloxone", life_saving=False)}
    )
    problems = problems_for(broken, 1)
    assert problems and "naloxone is not shown" in problems[0]


def test_1_fails_when_harm_reduction_needs_an_injecting_answer(rulebook):
    # M-1 again: only "injects" leads to needle exchange.
    broken = rulebook.model_copy(update={"rules": tuple(r for r in rulebook.rules if r.id != "injecting-not-said")})
    assert any("needle-syringe-exchange is not shown" in p for p in problems_for(broken, 1))


def test_2_fails_when_the_danger_answer_is_not_a_crisis(rulebook):
    questions = tuple(
        q.model_copy(update={"options": tuple(o.model_copy(update={"crisis": False}) for o in q.options)})
        if q.id == "danger"
        else q
        for q in rulebook.questions
    )
    problems = problems_for(rulebook.model_copy(update={"questions": questions}), 2)
    assert problems and "did not make the result a crisis" in problems[0]


def test_3_fails_when_secular_answers_still_get_faith_based_approaches(rulebook):
    broken = rulebook.model_copy(
        update={"rules": tuple(r for r in rulebook.rules if r.id != "secular-leaves-out-faith")}
    )
    assert any("faith-based, but a secular approach was asked for" in p for p in problems_for(broken, 3))


def test_3_fails_when_organisations_ignore_the_exclusions(rulebook, monkeypatch):
    # M-2 again: organisations left out only by explicit id, as before the fix.
    def approaches_only(rule, book):
        spec = rule.exclude
        if spec is None:
            return frozenset()
        return frozenset(
            {a.id for a in book.approaches if a.faith in spec.faith or a.setting in spec.setting}
            | set(spec.approaches)
            | set(spec.organisations)
        )

    monkeypatch.setattr(engine, "_excluded_ids", approaches_only)
    problems = problems_for(rulebook, 3, limit=50)
    assert any(p.startswith(("world-assistance", "wat-thamkrabok")) for p in problems), problems


def test_4_fails_on_a_number_that_is_not_an_emergency_number(rulebook):
    contacts = tuple(
        c.model_copy(
            update={
                "emergency": (
                    models.EmergencyNumber(
                        number="991", service="general", source="https://example.org/us", checked=dt.date(2026, 12, 6)
                    ),
                )
            }
        )
        if c.country == "US"
        else c
        for c in rulebook.contacts
    )
    problems = problems_for(rulebook.model_copy(update={"contacts": contacts}), 4)
    assert any(p.startswith("emergency number 991 is not an emergency number for US") for p in problems), problems


def test_5_fails_when_information_lines_come_first(rulebook, monkeypatch):
    # M-8 again: SAMHSA, FRANK and the other information lines before the crisis lines.
    monkeypatch.setitem(models.HELPLINE_ORDER, "information", -1)
    problems = problems_for(rulebook, 5)
    assert problems and "comes after a line that is not a crisis line" in problems[0]


def test_6_fails_when_a_label_is_stronger_than_its_words(rulebook):
    # M-4 again: safer-use education labelled "described as effective".
    broken = rulebook.model_copy(
        update={"approaches": replace_item(rulebook.approaches, "safer-use-education", evidence_level="strong")}
    )
    problems = problems_for(broken, 6)
    assert problems and "safer-use-education is labelled 'strong'" in problems[0]


def test_7_fails_when_a_reason_speaks_to_the_wrong_person(rulebook):
    # L-1 again: "You are interested in ..." said to a mother about her son.
    rules = replace_item(rulebook.rules, "peer-groups", reason="You are interested in meeting people like you.")
    problems = problems_for(rulebook.model_copy(update={"rules": rules}), 7)
    assert problems and "is not worded for someone_else" in problems[0]


def test_7_fails_when_an_item_has_no_reason(rulebook, monkeypatch):
    original = engine.Matcher.match

    def without_reasons(self, answers):
        result = original(self, answers)
        if not result.approaches:
            return result
        first = result.approaches[0]
        stripped = engine.ApproachMatch(first.approach, first.score, ())
        return dataclasses.replace(result, approaches=(stripped, *result.approaches[1:]))

    monkeypatch.setattr(engine.Matcher, "match", without_reasons)
    assert any("is shown without a reason" in p for p in problems_for(rulebook, 7))


def test_1_fails_when_not_knowing_the_substances_hides_naloxone(rulebook):
    # A carer who does not know which substances must still see naloxone, as "prefer not to say" does.
    broken = rulebook.model_copy(
        update={"rules": tuple(r for r in rulebook.rules if r.id != "substances-not-known-overdose-safety")}
    )
    assert any("naloxone is not shown" in p for p in problems_for(broken, 1))


def test_8_fails_when_not_knowing_is_less_safe_than_not_saying(rulebook):
    # "I do not know" whether they inject, without the injecting-safety services "prefer not to say" gets.
    broken = rulebook.model_copy(update={"rules": tuple(r for r in rulebook.rules if r.id != "injecting-not-known")})
    problems = problems_for(broken, 8)
    assert problems and "is shown for 'prefer not to say' but not for 'I do not know'" in problems[0]


def test_the_walk_includes_i_do_not_know_for_someone_else(rulebook):
    from wizard.domain.coverage import walk

    seen = list(walk(rulebook))
    assert any(a["substances"] == ["dont_know"] and a["who"] == "someone_else" for a in seen)
    assert any(a.get("injecting") == "dont_know" for a in seen)
    assert not any(a["who"] == "myself" and "dont_know" in a["substances"] for a in seen)


@pytest.mark.parametrize("number", [i.number for i in s.INVARIANTS])
def test_every_invariant_has_a_broken_fixture(number):
    names = [name for name in globals() if name.startswith(f"test_{number}_fails_")]
    assert names, f"invariant {number} has no test showing it fails"
