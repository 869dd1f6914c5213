"""Ranking a country's listings all at once instead of one by one.

A set of listings is an int: listing number n (index.py numbers a country's listings) is bit n.
Whether a listing offers an approach, is public or serves a region is then one AND over the whole
country, done in C; a results page does a few dozen such operations, however many listings there
are, instead of a few Python statements for each listing.

Each listing's fit (a whole number) is kept the same way, one bit of it per int ("bit-sliced"):
bit k of listing n's fit is bit n of `slices[k]`. Adding an amount for every member of a set is
then a few ANDs and XORs per bit of the amount, and the best-fitting members are found bit by bit
from the top.

Plain ints rather than a bit-array library: Python's own do all of this in C, with nothing to install.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def set_of(numbers: Iterable[int]) -> int:
    """The set of these numbers as an int, made in one go rather than bit by bit."""
    numbers = list(numbers)
    flags = bytearray(max(numbers, default=-1) // 8 + 1)
    for number in numbers:
        flags[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(flags, "little")


def members(found: int) -> Iterator[int]:
    """The numbers of the members of a set, lowest first."""
    while found:
        lowest = found & -found
        yield lowest.bit_length() - 1
        found ^= lowest


class Fits:
    """A fit for every listing, all zero at first, none of them ever above `limit`."""

    __slots__ = ("slices",)

    def __init__(self, limit: int) -> None:
        self.slices = [0] * max(limit.bit_length(), 1)

    def add(self, found: int, amount: int) -> None:
        """Add `amount` to the fit of every member of `found`: binary addition, every member at once."""
        slices = self.slices
        position = 0
        while amount:
            if amount & 1:
                carry, at = found, position
                while carry:
                    bits = slices[at]
                    slices[at] = bits ^ carry
                    carry &= bits
                    at += 1
            amount >>= 1
            position += 1

    def best(self, within: int, count: int) -> list[int]:
        """Up to `count` members of `within`, the best fit first; among equal fits, lowest number first."""
        chosen: list[int] = []
        while within and len(chosen) < count:
            level = within
            for bits in reversed(self.slices):
                higher = level & bits
                if higher:
                    level = higher
            # `level`: the members of `within` whose fit is the highest left.
            for number in members(level):
                chosen.append(number)
                if len(chosen) == count:
                    break
            within &= ~level
        return chosen

    def at_least(self, within: int, threshold: int) -> int:
        """The members of `within` whose fit is `threshold` or more (compared bit by bit from the top)."""
        if threshold.bit_length() > len(self.slices):
            return 0
        above, equal = 0, within
        for position in range(len(self.slices) - 1, -1, -1):
            if threshold >> position & 1:
                equal &= self.slices[position]
            else:
                above |= equal & self.slices[position]
        return above | equal
