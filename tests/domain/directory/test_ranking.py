"""Ranking listings as sets gives what ranking them one by one gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wizard.domain.directory.ranking import Fits, members, set_of


@given(st.lists(st.tuples(st.sets(st.integers(0, 90)), st.integers(1, 40)), max_size=12), st.integers(1, 8))
def test_fits_add_up_and_the_best_come_first(additions, count):
    limit = sum(amount for _members, amount in additions)
    fits = Fits(limit)
    expected = dict.fromkeys(range(91), 0)
    for found, amount in additions:
        fits.add(set_of(found), amount)
        for number in found:
            expected[number] += amount
    within = set_of(n for n in range(91) if n % 3)
    best = sorted((n for n in expected if n % 3), key=lambda n: (-expected[n], n))[:count]
    assert fits.best(within, count) == best


@given(st.sets(st.integers(0, 300)))
def test_members_are_the_numbers_of_a_set(numbers):
    assert list(members(set_of(numbers))) == sorted(numbers)
