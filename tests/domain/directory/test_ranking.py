"""Ranking listings as sets gives what ranking them one by one gives: the set arithmetic against
plain sums, and matching against a plain reading of its rules over random directories."""

from __future__ import annotations

import heapq
import random
from datetime import date, timedelta
from operator import itemgetter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.domain.directory import matching
from wizard.domain.directory.index import DirectoryIndex, Entry, tie_order
from wizard.domain.directory.matching import (
    NEARBY_KM,
    SHOWN,
    Request,
    match_services,
    nearest_km,
    stated_preferences,
)
from wizard.domain.directory.ranking import Fits, members, set_of
from wizard.domain.directory.taxonomy import ATTRIBUTES
from wizard.domain.directory.visibility import Visibility
from wizard.domain.places import Place, Town

TODAY = date(2026, 12, 7)


def _fits_and_sums(additions, size):
    """Fits with each (members, amount) added, and each number's sum worked out one by one."""
    fits = Fits(sum(amount for _members, amount in additions))
    expected = dict.fromkeys(range(size), 0)
    for found, amount in additions:
        fits.add(set_of(found), amount)
        for number in found:
            expected[number] += amount
    return fits, expected


@given(st.lists(st.tuples(st.sets(st.integers(0, 90)), st.integers(1, 40)), max_size=12), st.integers(1, 8))
def test_fits_add_up_and_the_best_come_first(additions, count):
    fits, expected = _fits_and_sums(additions, 91)
    within = set_of(n for n in range(91) if n % 3)
    best = sorted((n for n in expected if n % 3), key=lambda n: (-expected[n], n))[:count]
    assert fits.best(within, count) == best


@given(st.lists(st.tuples(st.sets(st.integers(0, 60)), st.integers(1, 20)), max_size=8), st.integers(0, 200))
def test_fits_at_least_a_threshold(additions, threshold):
    fits, expected = _fits_and_sums(additions, 61)
    within = set_of(n for n in range(61) if n % 4)
    assert fits.at_least(within, threshold) == set_of(n for n in expected if n % 4 and expected[n] >= threshold)


@given(st.sets(st.integers(0, 300)))
def test_members_are_the_numbers_of_a_set(numbers):
    assert list(members(set_of(numbers))) == sorted(numbers)


# --- Matching against a plain reading of its rules ------------------------------------------

APPROACHES = (
    "counselling-and-group-therapy",
    "peer-support-and-mentoring",
    "naloxone",
    "medication-assisted-treatment",
    "needle-syringe-exchange",
    "outpatient-programmes",
    "twelve-step-fellowships",
)
REGIONS = ("PT-06", "PT-13", "PT-11")
TOWNS = (
    Town("2735943", "Porto", "PT", "PT-13", 41.14961, -8.61099),
    Town("2740637", "Coimbra", "PT", "PT-06", 40.20564, -8.41955),
    Town("1", "Nowhere", "PT", None, 39.6, -7.9),
)


def _entries(rng: random.Random, count: int) -> list[Entry]:
    made = []
    for number in range(count):
        kind = rng.random()
        sites = () if kind < 0.3 else tuple(
            (rng.choice(TOWNS).latitude + rng.uniform(-0.6, 0.6), rng.choice(TOWNS).longitude + rng.uniform(-0.6, 0.6))
            for _ in range(rng.choice((1, 1, 1, 2, 3)))
        )  # fmt: skip
        made.append(
            Entry(
                id=f"s{rng.randrange(10**6):06d}-{number}",
                publisher=rng.choice((None, None, None, None, "p1", "p2")),
                fictional=rng.random() < 0.1,
                country="PT",
                subdivisions=frozenset(rng.sample(REGIONS, rng.choice((0, 0, 1, 2)))),
                whole_country=rng.random() < 0.25,
                remote=rng.random() < 0.2,
                coordinates=sites,
                approaches=frozenset(rng.sample(APPROACHES, rng.randint(1, 3))),
                attributes=frozenset(rng.sample(sorted(ATTRIBUTES), rng.randint(0, 4))),
                # Few distinct dates, so that many listings tie but for their ids.
                last_checked=rng.choice(
                    (None, TODAY - timedelta(days=400), TODAY - timedelta(days=rng.choice((3, 30))))
                ),
            )
        )
    return made


def _requests(rng: random.Random, count: int) -> list[Request]:
    made = []
    for _ in range(count):
        town = rng.choice((None, *TOWNS))
        region = rng.choice((None, town.subdivision if town else None, *REGIONS))
        answers = {
            "faith": rng.choice(("secular", "faith_based", None)),
            "setting": rng.choice(("outpatient", "inpatient", None)),
            "medication": rng.choice(("open", "not_open")),
            "needs": rng.sample(("cost", "women_childcare", "distance", "legal"), rng.randint(0, 3)),
        }
        made.append(
            Request(
                approaches=tuple(rng.sample(APPROACHES, rng.randint(1, len(APPROACHES)))),
                answers=answers,
                place=Place("PT", region, town),
                visibility=Visibility(TODAY, 365, show_fictional=rng.random() < 0.5, partner=rng.choice((None, "p1"))),
                life_saving=frozenset({"naloxone"}) if rng.random() < 0.7 else frozenset(),
            )
        )
    return made


def _plainly(entries: list[Entry], request: Request) -> list[tuple[str, float | None]]:
    """Every listing tested and ranked on its own, as the rules read."""
    answers, place = request.answers, request.place
    weight = {a: len(request.approaches) - n for n, a in enumerate(request.approaches)}
    wanted = stated_preferences(answers)
    scored = []
    for entry in entries:
        if not entry.approaches & set(request.approaches):
            continue
        visibility = request.visibility
        if not visibility.allows(publisher=entry.publisher, fictional=entry.fictional, last_checked=entry.last_checked):
            continue
        if answers.get("faith") == "secular" and entry.faith_based:
            continue
        if answers.get("setting") == "outpatient" and entry.residential_only:
            continue
        distance = nearest_km(entry, place)
        near = distance is not None and distance <= NEARBY_KM
        if not (entry.whole_country or (place.subdivision in entry.subdivisions) or near):
            continue
        fit = sum(weight.get(a, 0) for a in entry.approaches)
        fit += 3 * sum(1 for p in wanted if entry.attribute_bits & p.bits)
        far = float("inf") if distance is None else distance
        scored.append(((entry.publisher is None, -fit, far, -entry.checked, entry.id), entry, distance))
    shown = heapq.nsmallest(SHOWN, scored, key=itemgetter(0))
    saving = [item for item in scored if item[1].approaches & request.life_saving]
    if request.life_saving and saving and not any(entry.approaches & request.life_saving for _k, entry, _d in shown):
        shown = [*shown[: SHOWN - 1], min(saving, key=itemgetter(0))]
    return [(entry.id, distance) for _key, entry, distance in shown]


@pytest.mark.parametrize("one_by_one", [matching.NEAR_ONE_BY_ONE, 0])
@pytest.mark.parametrize("seed", range(40))
def test_matching_shows_what_a_plain_reading_of_the_rules_shows(seed, one_by_one, monkeypatch):
    # However many services near a town are looked at one by one rather than as a set.
    monkeypatch.setattr(matching, "NEAR_ONE_BY_ONE", one_by_one)
    rng = random.Random(seed)  # noqa: S311 - a repeatable sample, not a secret
    entries = _entries(rng, rng.choice((40, 300)))
    index = DirectoryIndex(entries)
    shown_any = 0
    for request in _requests(rng, 150):
        shown = [(m.id, m.distance_km) for m in match_services(index, request, {})]
        assert shown == _plainly(entries, request), request
        shown_any += bool(shown)
    assert shown_any > 30


def test_the_listings_are_numbered_in_the_order_of_those_that_fit_equally_well():
    entries = _entries(random.Random(1), 200)  # noqa: S311 - a repeatable sample, not a secret
    listed = DirectoryIndex(entries).country("PT").listed.entries
    assert list(listed) == sorted((e for e in entries if e.whole_country or e.subdivisions), key=tie_order)
