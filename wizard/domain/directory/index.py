"""The directory as matching sees it: a slim entry per listing, grouped by country, held in memory.

Built once per process from the stored listings and rebuilt when the directory changes; a
results page then looks up one country's entries instead of querying the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from wizard.domain.directory.listing import Listing


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


class DirectoryIndex:
    def __init__(self, entries: Iterable[Entry], version: int = 0) -> None:
        self.version = version
        self._by_country: dict[str, list[Entry]] = {}
        count = 0
        for entry in entries:
            self._by_country.setdefault(entry.country, []).append(entry)
            count += 1
        self.size = count

    def in_country(self, country: str) -> list[Entry]:
        return self._by_country.get(country, [])

    def countries(self) -> frozenset[str]:
        return frozenset(self._by_country)


EMPTY = DirectoryIndex(())
