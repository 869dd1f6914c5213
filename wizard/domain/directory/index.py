"""The directory as matching sees it: a slim entry per listing, grouped by country, held in memory.

Built once per process from the stored listings and rebuilt when the directory changes; a
results page then looks up one country's entries instead of querying the database.

Every worker holds the whole directory, so an entry is kept small (about 550 bytes with its
share of the country's lookup tables): it is built from the stored record without the full
listing, and the values many listings repeat (country and region codes, code sets, dates,
publishers) are one shared object each rather than a copy per listing (`Pool`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from wizard.domain.directory.listing import Listing
from wizard.domain.directory.taxonomy import ATTRIBUTES


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    publisher: str | None  # None: the operator's directory; else a partner id
    fictional: bool
    country: str
    subdivisions: frozenset[str]
    whole_country: bool
    remote: bool
    coordinates: tuple[tuple[float, float], ...]
    approaches: frozenset[str]
    attributes: frozenset[str]
    last_checked: date | None

    @classmethod
    def of(cls, listing: Listing, *, publisher: str | None, fictional: bool, last_checked: date | None) -> Entry:
        return cls(
            id=listing.id,
            publisher=publisher,
            fictional=fictional,
            country=listing.country,
            subdivisions=frozenset(listing.subdivisions),
            whole_country=listing.whole_country,
            remote=listing.remote,
            coordinates=tuple(
                (s.latitude, s.longitude) for s in listing.sites if s.latitude is not None and s.longitude is not None
            ),
            approaches=listing.approaches,
            attributes=listing.attributes,
            last_checked=last_checked,
        )


class Pool:
    """One shared copy of each equal value: a directory repeats the same few countries, regions,
    code sets and dates across thousands of listings. Only for immutable values; kept while an
    index is built, then dropped (what it shared stays shared)."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict = {}

    def __call__(self, value):
        return self._values.setdefault(value, value)


def entry_of_record(
    record: dict, *, publisher: str | None, fictional: bool, last_checked: date | None, pool: Pool
) -> Entry:
    """The entry of a stored record (listing.to_record's shape), the same as `Entry.of` of the
    listing read from it, without building the listing's phones, sites and texts."""
    return Entry(
        id=record["id"],
        publisher=pool(publisher),
        fictional=fictional,
        country=pool(record["country"]),
        subdivisions=pool(frozenset(pool(code) for code in record["subdivisions"])),
        whole_country=record["whole_country"],
        remote=record["remote"],
        # A stored site is [name, address, latitude, longitude, accessibility].
        coordinates=tuple((s[2], s[3]) for s in record["sites"] if s[2] is not None and s[3] is not None),
        approaches=pool(frozenset(pool(code) for code in record["approaches"])),
        attributes=pool(frozenset(pool(code) for code in record["attributes"])),
        last_checked=pool(last_checked),
    )


# Sites are found by a grid of cells this many degrees on a side (about 55 km north to south).
CELL_DEGREES = 0.5


class Slot:
    """An entry with what matching tests on every request worked out once: bit masks instead of
    sets, the check date as a day number, the grid cells of its sites."""

    __slots__ = ("approach_bits", "attribute_bits", "bits", "checked", "entry", "faith_based", "residential_only")

    def __init__(self, entry: Entry, approach_bit: dict[str, int], pool: Pool | None = None) -> None:
        # The masks and day numbers are large ints, an object each: shared through `pool` when given.
        share = pool if pool is not None else _same
        self.entry = entry
        self.bits = share(tuple(approach_bit[a] for a in sorted(entry.approaches)))
        self.approach_bits = share(sum(self.bits))
        self.checked = share(entry.last_checked.toordinal() if entry.last_checked else -1)
        attributes = entry.attributes
        self.faith_based = "faith-based" in attributes
        self.residential_only = bool(attributes & {"inpatient", "residential"}) and "outpatient" not in attributes
        self.attribute_bits = share(attribute_bits(attributes) | (REMOTE_BIT if entry.remote else 0))


def _same(value):
    return value


# Each attribute of the taxonomy a bit, and one more for "by telephone or online".
ATTRIBUTE_BIT = {code: 1 << number for number, code in enumerate(ATTRIBUTES)}
REMOTE_BIT = 1 << len(ATTRIBUTES)


def attribute_bits(codes) -> int:
    return sum(ATTRIBUTE_BIT.get(code, 0) for code in codes)


def cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / CELL_DEGREES), math.floor(longitude / CELL_DEGREES)


class _Country:
    """One country's slots, by how they serve a place: the whole country, a region, or a site."""

    def __init__(self, slots: list[Slot]) -> None:
        self.whole: list[Slot] = []
        self.by_region: dict[str, list[Slot]] = {}
        self.by_cell: dict[tuple[int, int], list[Slot]] = {}
        for slot in slots:
            entry = slot.entry
            if entry.whole_country:
                self.whole.append(slot)
                continue
            for region in entry.subdivisions:
                self.by_region.setdefault(region, []).append(slot)
            for cell_of_site in {cell(lat, lon) for lat, lon in entry.coordinates}:
                self.by_cell.setdefault(cell_of_site, []).append(slot)

    def near(self, latitude: float, longitude: float, km: float) -> list[Slot]:
        row, column = cell(latitude, longitude)
        rows = math.ceil(km / (111.2 * CELL_DEGREES))
        across = 111.2 * CELL_DEGREES * max(math.cos(math.radians(latitude)), 0.01)
        columns = min(math.ceil(km / across), int(180 / CELL_DEGREES))
        found: list[Slot] = []
        for r in range(row - rows, row + rows + 1):
            for c in range(column - columns, column + columns + 1):
                found.extend(self.by_cell.get((r, c), ()))
        return found


class DirectoryIndex:
    def __init__(self, entries: Iterable[Entry], version: int = 0) -> None:
        self.version = version
        self._by_country: dict[str, list[Entry]] = {}
        count = 0
        for entry in entries:
            self._by_country.setdefault(entry.country, []).append(entry)
            count += 1
        self.size = count
        approaches = sorted({a for entries_ in self._by_country.values() for e in entries_ for a in e.approaches})
        # Each approach a bit: "does it offer any approach shown?" is one AND per entry.
        self.approach_bit = {approach: 1 << number for number, approach in enumerate(approaches)}
        self._countries: dict[str, _Country] = {}
        self._lock = threading.Lock()

    def in_country(self, country: str) -> list[Entry]:
        return self._by_country.get(country, [])

    def countries(self) -> frozenset[str]:
        return frozenset(self._by_country)

    def _country(self, country: str, pool: Pool | None = None) -> _Country:
        found = self._countries.get(country)
        if found is None:
            with self._lock:
                found = self._countries.get(country)
                if found is None:
                    share = pool if pool is not None else Pool()
                    slots = [Slot(e, self.approach_bit, share) for e in self.in_country(country)]
                    found = self._countries[country] = _Country(slots)
        return found

    def prepare(self) -> None:
        """Work out every country's lookup tables now (a worker starting), not on the country's
        first results page; with one pool for them all, as countries share many masks and dates."""
        pool = Pool()
        for country in self._by_country:
            self._country(country, pool)

    def candidates(self, country: str, region: str | None, near: tuple[float, float] | None, km: float) -> list[Slot]:
        """The slots that may serve a place: the whole country's, the region's, and those with a
        site within `km` of `near` (a superset: the distance itself is checked by the caller)."""
        if country not in self._by_country:
            return []
        found = self._country(country)
        slots = list(found.whole)
        seen: set[int] = set()
        extra = []
        if region:
            extra.extend(found.by_region.get(region, ()))
        if near is not None:
            extra.extend(found.near(near[0], near[1], km))
        for slot in extra:
            if id(slot) not in seen:
                seen.add(id(slot))
                slots.append(slot)
        return slots


EMPTY = DirectoryIndex(())
