"""The directory as matching sees it: a slim entry per listing, grouped by country, held in memory.

Built once per process from the stored listings and rebuilt when the directory changes; a
results page then looks up one country's entries instead of querying the database.

Every worker holds the whole directory, so an entry is kept small (about 400 bytes with its
share of the country's lookup tables): one object per listing, with what matching works out
from it, built from the stored record without the full listing; and the values many listings
repeat (country and region codes, code sets, dates, publishers) are one shared object each
rather than a copy per listing (`Pool`).
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable
from datetime import date

from wizard.domain.directory.listing import Listing
from wizard.domain.directory.taxonomy import ATTRIBUTES


class Entry:
    """One listing as matching sees it, with what matching tests on every request worked out once:
    the approaches as bit masks, the check date as a day number, the attributes as bits.

    One object per listing, with slots and no per-listing dict: every worker holds 50,000 of them.
    Read it, never change it (it is shared by every request that uses the index)."""

    __slots__ = (
        "approach_bits",
        "approaches",
        "attribute_bits",
        "attributes",
        "bits",
        "checked",
        "country",
        "faith_based",
        "fictional",
        "id",
        "last_checked",
        "publisher",
        "residential_only",
        "sites",
        "subdivisions",
        "whole_country",
    )

    def __init__(
        self,
        *,
        id: str,  # the HSDS service id
        publisher: str | None,  # None: the operator's directory; else a partner id
        fictional: bool,
        country: str,
        subdivisions: frozenset[str],
        whole_country: bool,
        remote: bool,
        coordinates: tuple[tuple[float, float], ...],
        approaches: frozenset[str],
        attributes: frozenset[str],
        last_checked: date | None,
        pool: Pool | None = None,
    ) -> None:
        # The masks and day numbers are large ints, an object each: shared through `pool` when given.
        share = pool if pool is not None else _same
        self.id = id
        self.publisher = publisher
        self.fictional = fictional
        self.country = country
        self.subdivisions = subdivisions
        self.whole_country = whole_country
        # Latitude, longitude, latitude, ...: 16 bytes a site, where a tuple of pairs takes over 100.
        self.sites = array("d", [degrees for pair in coordinates for degrees in pair]) if coordinates else ()
        self.approaches = approaches
        self.attributes = attributes
        self.last_checked = last_checked
        self.bits = share(tuple(approach_bit(a) for a in sorted(approaches)))
        self.approach_bits = share(sum(self.bits))
        self.checked = share(last_checked.toordinal() if last_checked else -1)
        self.faith_based = "faith-based" in attributes
        self.residential_only = bool(attributes & {"inpatient", "residential"}) and "outpatient" not in attributes
        self.attribute_bits = share(attribute_bits(attributes) | (REMOTE_BIT if remote else 0))

    @property
    def coordinates(self) -> tuple[tuple[float, float], ...]:
        """(latitude, longitude) of each of its sites, made when asked for."""
        sites = self.sites
        if not sites:
            return ()
        if len(sites) == 2:
            return ((sites[0], sites[1]),)
        return tuple(zip(sites[::2], sites[1::2], strict=True))

    @property
    def remote(self) -> bool:
        """Given by telephone or online (kept as one of the attribute bits)."""
        return bool(self.attribute_bits & REMOTE_BIT)

    def _fields(self) -> tuple:
        return (
            self.id,
            self.publisher,
            self.fictional,
            self.country,
            self.subdivisions,
            self.whole_country,
            self.remote,
            self.coordinates,
            self.approaches,
            self.attributes,
            self.last_checked,
        )

    def __eq__(self, other: object) -> bool:
        return self._fields() == other._fields() if isinstance(other, Entry) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Entry(id={self.id!r}, country={self.country!r}, publisher={self.publisher!r})"

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


# Matching's name for an entry: what it used to wrap.
Slot = Entry


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
        pool=pool,
    )


# Sites are found by a grid of cells this many degrees on a side (about 55 km north to south).
CELL_DEGREES = 0.5

# Each approach a bit, the same in every index of the process: "does it offer any approach
# shown?" is one AND per entry, and an entry's masks are worked out once, when it is made. The
# approaches are the taxonomy's, a few dozen at most.
_APPROACH_BITS: dict[str, int] = {}
_APPROACH_LOCK = threading.Lock()


def approach_bit(approach: str) -> int:
    bit = _APPROACH_BITS.get(approach)
    if bit is None:
        with _APPROACH_LOCK:
            bit = _APPROACH_BITS.setdefault(approach, 1 << len(_APPROACH_BITS))
    return bit


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
    """One country's entries, by how they serve a place: the whole country, a region, or a site."""

    def __init__(self, entries: list[Entry]) -> None:
        self.whole: list[Entry] = []
        self.by_region: dict[str, list[Entry]] = {}
        self.by_cell: dict[tuple[int, int], list[Entry]] = {}
        for entry in entries:
            if entry.whole_country:
                self.whole.append(entry)
                continue
            for region in entry.subdivisions:
                self.by_region.setdefault(region, []).append(entry)
            for cell_of_site in {cell(lat, lon) for lat, lon in entry.coordinates}:
                self.by_cell.setdefault(cell_of_site, []).append(entry)

    def near(self, latitude: float, longitude: float, km: float) -> list[Entry]:
        row, column = cell(latitude, longitude)
        rows = math.ceil(km / (111.2 * CELL_DEGREES))
        across = 111.2 * CELL_DEGREES * max(math.cos(math.radians(latitude)), 0.01)
        columns = min(math.ceil(km / across), int(180 / CELL_DEGREES))
        found: list[Entry] = []
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
        self.approach_bit = {approach: approach_bit(approach) for approach in approaches}
        self._countries: dict[str, _Country] = {}
        self._lock = threading.Lock()

    def in_country(self, country: str) -> list[Entry]:
        return self._by_country.get(country, [])

    def countries(self) -> frozenset[str]:
        return frozenset(self._by_country)

    def _country(self, country: str) -> _Country:
        found = self._countries.get(country)
        if found is None:
            with self._lock:
                found = self._countries.get(country)
                if found is None:
                    found = self._countries[country] = _Country(self.in_country(country))
        return found

    def prepare(self) -> None:
        """Work out every country's lookup tables now (a worker starting), not on the country's
        first results page."""
        for country in self._by_country:
            self._country(country)

    def candidates(self, country: str, region: str | None, near: tuple[float, float] | None, km: float) -> list[Entry]:
        """The entries that may serve a place: the whole country's, the region's, and those with a
        site within `km` of `near` (a superset: the distance itself is checked by the caller)."""
        if country not in self._by_country:
            return []
        found = self._country(country)
        entries = list(found.whole)
        seen: set[int] = set()
        extra = []
        if region:
            extra.extend(found.by_region.get(region, ()))
        if near is not None:
            extra.extend(found.near(near[0], near[1], km))
        for entry in extra:
            if id(entry) not in seen:
                seen.add(id(entry))
                entries.append(entry)
        return entries


EMPTY = DirectoryIndex(())
