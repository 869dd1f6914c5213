"""Walk the whole answer space and check what every person would be shown."""

from __future__ import annotations

import pytest

from wizard.domain.coverage import multiple_profiles, representative_countries, walk_results
from wizard.domain.matching import Matcher


@pytest.fixture(scope="module")
def walked(rulebook, matcher):
    return list(walk_results(rulebook, matcher))


def test_the_walk_covers_every_single_choice_combination(rulebook, walked):
    countries = representative_countries(rulebook)
    singles = [
        q for q in rulebook.questions if q.kind == "single" and q.ask_if is None and q.id not in ("danger", "who")
    ]
    # Each audience with the options it is offered ("I do not know" is for someone else only).
    expected = 0
    for audience in ("myself", "someone_else"):
        combinations = len(countries)
        for q in singles:
            combinations *= len(q.options_for(audience))
        expected += combinations
    base = {
        tuple(
            sorted(
                (k, v)
                for k, v in a.items()
                if k not in ("injecting", "subdivision", "town") and not isinstance(v, list)
            )
        )
        for a, _ in walked
    }
    assert len(base) == expected
    # Region and town are walked left blank and as "prefer not to say", never as a place.
    assert {a.get("town") for a, _ in walked} == {None, "", "prefer_not_to_say"}
    assert {a.get("subdivision") for a, _ in walked} == {None, "", "prefer_not_to_say"}
    for audience in ("myself", "someone_else"):
        for profile in multiple_profiles(rulebook, audience):
            assert any(a["who"] == audience and all(a.get(k) == v for k, v in profile.items()) for a, _ in walked)


def test_i_do_not_know_is_walked_for_someone_else_only(walked):
    """The walk has the answers a person can give: "I do not know" is offered only to someone else."""

    def not_known(answers):
        return [qid for qid, v in answers.items() if "dont_know" in (v if isinstance(v, list) else [v])]

    asked = {qid for answers, _ in walked if answers["who"] == "someone_else" for qid in not_known(answers)}
    assert asked == {"substances", "injecting", "previous_treatment"}
    assert not any(not_known(answers) for answers, _ in walked if answers["who"] == "myself")


def test_not_knowing_the_substances_skips_injecting_as_not_saying_does(walked):
    for answers, _ in walked:
        if answers.get("substances") in (["dont_know"], ["prefer_not_to_say"]):
            assert "injecting" not in answers, answers


def test_everyone_gets_at_least_three_approaches(walked):
    for answers, result in walked:
        assert len(result.approaches) >= 3, answers


def test_nothing_that_does_not_work_is_recommended(rulebook, walked):
    not_working = {n.id for n in rulebook.not_effective} | {n.name.lower() for n in rulebook.not_effective}
    for _, result in walked:
        for match in result.approaches + result.information:
            assert match.approach.id not in not_working
            assert match.approach.name.lower() not in not_working


def test_policy_bodies_are_never_places_to_get_help(walked):
    for _, result in walked:
        assert all(m.organisation.role == "direct_help" for m in result.direct_help)
        assert all(m.organisation.role == "information" for m in result.information_bodies)
        assert all(m.approach.kind == "service" for m in result.approaches)


def test_place_limited_approaches_only_where_the_documents_describe_them(walked):
    for answers, result in walked:
        for match in result.approaches + result.information:
            area = match.approach.only_in
            if area and (area.countries or area.regions):
                assert result.country is not None, (answers, match.approach.id)
                assert result.country.code in area.countries or result.country.region in area.regions


def test_matching_is_deterministic(matcher, walked):
    for answers, result in walked[:: max(1, len(walked) // 200)]:
        again = matcher.match(answers)
        assert [m.approach.id for m in again.approaches] == [m.approach.id for m in result.approaches]
        assert [m.score for m in again.approaches] == [m.score for m in result.approaches]


def test_a_match_does_not_depend_on_the_answers_matched_before(rulebook, walked):
    # The matcher fills in what each approach and organisation shows as answers meet it: a fresh
    # one, taking the answers in the other order, must give equal results.
    sample = walked[:: max(1, len(walked) // 500)]
    fresh = Matcher(rulebook)
    for answers, result in reversed(sample):
        assert fresh.match(answers) == result, answers


def test_a_match_is_what_a_matcher_that_has_met_no_answers_gives(rulebook, walked):
    # What the matcher fills in is kept under the rules that fired for each approach and organisation:
    # a key that left some of them out would hand one answer set's match to another. A matcher new for
    # each answer set has nothing kept to hand on.
    for answers, result in walked[:: max(1, len(walked) // 150)]:
        assert Matcher(rulebook).match(answers) == result, answers


def test_every_approach_and_organisation_can_be_shown(rulebook):
    from wizard.domain.coverage import coverage

    report = coverage(rulebook)
    never = sorted(item for item, count in report.counts.items() if count == 0)
    assert never == []
