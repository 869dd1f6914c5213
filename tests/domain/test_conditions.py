from __future__ import annotations

import pytest

from wizard.domain.rulebook.conditions import ConditionError, matched_leaves, parse_condition

ANSWERS = {"faith": "secular", "needs": frozenset({"cost", "legal"}), "region": "europe"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"answer": "faith", "equals": "secular"}, True),
        ({"answer": "faith", "equals": "faith_based"}, False),
        ({"answer": "faith", "in": ["secular", "no_preference"]}, True),
        ({"answer": "needs", "any_in": ["cost"]}, True),
        ({"answer": "needs", "any_in": ["distance"]}, False),
        ({"answered": "faith"}, True),
        ({"answered": "setting"}, False),
        ({"not": {"answer": "setting", "equals": "inpatient"}}, True),  # unanswered: the test is false
        ({"all": [{"answer": "faith", "equals": "secular"}, {"answer": "region", "equals": "europe"}]}, True),
        ({"all": [{"answer": "faith", "equals": "secular"}, {"answer": "region", "equals": "asia"}]}, False),
        ({"any": [{"answer": "faith", "equals": "x"}, {"answer": "region", "equals": "europe"}]}, True),
        ({"always": True}, True),
        # A multiple answer never equals a single code, and a single answer is never any_in.
        ({"answer": "needs", "equals": "cost"}, False),
        ({"answer": "faith", "any_in": ["secular"]}, False),
    ],
)
def test_operators(raw, expected):
    assert parse_condition(raw).test(ANSWERS) is expected


def test_reports_which_conditions_held():
    cond = parse_condition(
        {"any": [{"answer": "faith", "equals": "secular"}, {"answer": "needs", "any_in": ["distance"]}]}
    )
    assert matched_leaves(cond, ANSWERS) == ["faith is secular"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"answer": "faith", "eq": "x"}, "unknown operator 'eq'"),
        ({"answer": "faith", "equals": True}, "write option codes in quotes"),
        ({"answer": "faith", "in": []}, "non-empty list"),
        ({"all": []}, "non-empty list of conditions"),
        ({"always": False}, "takes the value true"),
        ("faith == secular", "must be a mapping"),
        ({"answer": "faith", "equals": "x", "in": ["y"]}, "cannot read a condition"),
    ],
)
def test_bad_conditions_say_what_is_wrong(raw, message):
    with pytest.raises(ConditionError, match=message):
        parse_condition(raw)
