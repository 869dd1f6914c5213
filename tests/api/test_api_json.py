"""Conditions come out of the API in the same shape as the rules files."""

from __future__ import annotations

import typing

import pytest
from pydantic import TypeAdapter, ValidationError

from wizard.api.conditions import Condition
from wizard.domain.rulebook.conditions import Cond, parse_condition

CONDITION = TypeAdapter(Condition)


def condition_json(condition) -> dict:
    return CONDITION.dump_python(CONDITION.validate_python(condition), mode="json")


SHAPES = [
    {"answer": "faith", "equals": "secular"},
    {"answer": "setting", "in": ["not_sure", "outpatient"]},
    {"answer": "needs", "any_in": ["cost", "distance"]},
    {"answered": "country"},
    {"always": True},
    {"not": {"answer": "who", "equals": "myself"}},
    {"all": [{"answered": "country"}, {"any": [{"answer": "region", "equals": "europe"}, {"always": True}]}]},
    {"any": [{"not": {"answered": "needs"}}, {"answer": "needs", "any_in": ["legal"]}]},
]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_operator_round_trips(shape):
    assert condition_json(parse_condition(shape)) == shape


def test_every_condition_in_the_rules_round_trips(rulebook):
    conditions = [q.ask_if for q in rulebook.questions if q.ask_if is not None]
    conditions += [rule.when for rule in rulebook.rules]
    conditions += [item.lean_if for item in rulebook.not_effective]
    for condition in conditions:
        assert parse_condition(condition_json(condition)) == condition


def test_something_else_is_refused():
    with pytest.raises(ValidationError):
        condition_json("faith is secular")


def test_every_rulebook_operator_has_an_api_shape():
    # A new operator in the rules must get its own model in the Condition union.
    union = typing.get_args(Condition.__value__)[0]
    tags = {member.__metadata__[0].tag for member in typing.get_args(union)}
    assert tags == {operator.__name__ for operator in typing.get_args(Cond)}
