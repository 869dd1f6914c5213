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
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import date

from wizard.domain.directory.listing import Listing
from wizard.domain.directory.ranking import set_of
from wizard.domain.directory.taxonomy import ATTRIBUTES
from wizard.domain.directory.visibility import Visibility


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


def tie_order(entry: Entry) -> tuple:
    """The order of entries that fit a person equally well and are as near (matching.py's ranking
    without those two): a partner's own first, then the most recently checked, then by id."""
    return (entry.publisher is None, -entry.checked, entry.id)


class Numbered:
    """Entries numbered in a fixed order, and the sets of them matching asks about as ints, a bit
    for each entry (ranking.py): those offering each approach, faith-based, and so on.
    Read it, never change it."""

    __slots__ = ("_having", "_public", "entries", "faith_based", "offering", "partners", "residential_only", "sited")

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        self.sited = set_of(n for n, e in enumerate(entries) if e.sites)
        self.partners = set_of(n for n, e in enumerate(entries) if e.publisher is not None)
        self.faith_based = set_of(n for n, e in enumerate(entries) if e.faith_based)
        self.residential_only = set_of(n for n, e in enumerate(entries) if e.residential_only)
        offering: dict[int, list[int]] = {}
        having: dict[int, list[int]] = {}
        for number, entry in enumerate(entries):
            for bit in entry.bits:
                offering.setdefault(bit, []).append(number)
            for bit in _bits(entry.attribute_bits):
                having.setdefault(bit, []).append(number)
        self.offering = {bit: set_of(numbers) for bit, numbers in offering.items()}  # approach bit: entries offering it
        # Attribute bit: the entries having it; later also any set of bits asked for (`having`).
        self._having = {bit: set_of(numbers) for bit, numbers in having.items()}
        self._public: dict[Visibility, int] = {}

    def having(self, bits: int) -> int:
        """The entries with any of these attribute bits (kept: matching asks for the same few sets)."""
        found = self._having.get(bits)
        if found is None:
            found = 0
            for bit in _bits(bits):
                found |= self._having.get(bit, 0)
            self._having[bits] = found
        return found

    def public(self, visibility: Visibility) -> int:
        """The entries the public may see, worked out once a day for the operator and each partner."""
        found = self._public.get(visibility)
        if found is None:
            allows = visibility.allows
            found = set_of(
                number
                for number, e in enumerate(self.entries)
                if allows(publisher=e.publisher, fictional=e.fictional, last_checked=e.last_checked)
            )
            if len(self._public) >= PUBLIC_KEPT:
                self._public.clear()
            self._public[visibility] = found
        return found


def _bits(bits: int) -> Iterator[int]:
    while bits:
        lowest = bits & -bits
        yield lowest
        bits ^= lowest


def _cell_key(row: int, column: int) -> int:
    """A cell as one number, in order of row, then column (a column is within -720 to 720)."""
    return row * 2048 + column


class CountryIndex:
    """One country's entries as matching looks them up.

    `listed`: the entries that serve the whole country or a region, numbered in tie order (so the
    best of those that fit equally well is the lowest number), with which of them serve the whole
    country (`whole`) and each region (`by_region`), as sets.

    `nearby`: the entries with a site that serve no whole country, once for each grid cell with
    one of their sites, in order of the cells (row by row), so that the entries of a row of cells
    are numbered one after another: `cell_keys` are the cells with an entry, in that order, and
    the entries of cell_keys[n] are numbered from cell_starts[n] to cell_starts[n + 1]."""

    __slots__ = ("by_region", "cell_keys", "cell_starts", "listed", "nearby", "whole")

    def __init__(self, entries: list[Entry]) -> None:
        listed = tuple(sorted((e for e in entries if e.whole_country or e.subdivisions), key=tie_order))
        self.listed = Numbered(listed)
        self.whole = set_of(number for number, entry in enumerate(listed) if entry.whole_country)
        by_region: dict[str, list[int]] = {}
        for number, entry in enumerate(listed):
            if not entry.whole_country:
                for region in entry.subdivisions:
                    by_region.setdefault(region, []).append(number)
        self.by_region = {region: set_of(numbers) for region, numbers in by_region.items()}
        by_cell: dict[int, list[Entry]] = {}
        for entry in entries:
            if not entry.whole_country:
                for cell_of_site in {cell(lat, lon) for lat, lon in entry.coordinates}:
                    by_cell.setdefault(_cell_key(*cell_of_site), []).append(entry)
        self.cell_keys = array("q", sorted(by_cell))
        self.cell_starts = array("q", [0])
        for key in self.cell_keys:
            self.cell_starts.append(self.cell_starts[-1] + len(by_cell[key]))
        self.nearby = Numbered(tuple(e for key in self.cell_keys for e in by_cell[key]))

    def near(self, latitude: float, longitude: float, km: float) -> int:
        """The `nearby` entries with a site in a cell within `km` of the place (a superset: the
        distance itself is checked by the caller)."""
        row, column = cell(latitude, longitude)
        rows = math.ceil(km / (111.2 * CELL_DEGREES))
        across = 111.2 * CELL_DEGREES * max(math.cos(math.radians(latitude)), 0.01)
        columns = min(math.ceil(km / across), int(180 / CELL_DEGREES))
        keys, starts = self.cell_keys, self.cell_starts
        found = 0
        for r in range(row - rows, row + rows + 1):
            first = bisect_left(keys, _cell_key(r, column - columns))
            last = bisect_right(keys, _cell_key(r, column + columns))
            if first < last:
                found |= (1 << starts[last]) - (1 << starts[first])
        return found


# Visibilities whose public entries a country keeps (one a day for the operator and each partner).
PUBLIC_KEPT = 16


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
        self._countries: dict[str, CountryIndex] = {}
        self._lock = threading.Lock()

    def in_country(self, country: str) -> list[Entry]:
        return self._by_country.get(country, [])

    def countries(self) -> frozenset[str]:
        return frozenset(self._by_country)

    def country(self, country: str) -> CountryIndex | None:
        """The country's lookup tables (made on first use unless `prepare` made them), or None
        when no entry is in the country."""
        found = self._countries.get(country)
        if found is None:
            if country not in self._by_country:
                return None
            with self._lock:
                found = self._countries.get(country)
                if found is None:
                    found = self._countries[country] = CountryIndex(self.in_country(country))
        return found

    def prepare(self) -> None:
        """Work out every country's lookup tables now (a worker starting), not on the country's
        first results page."""
        for country in self._by_country:
            self.country(country)


EMPTY = DirectoryIndex(())
