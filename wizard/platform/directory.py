"""The service directory as the apps use it: the in-memory index of this process, kept in step
with the database, and the services to show for a person's results.

Each process holds a slim index (wizard/domain/directory/index.py), loads it when it starts
(`Directory.warm`, from gunicorn.conf.py) and asks the database for the directory's version at
most every few seconds; only the few listings shown are read in full.
A database that is down costs the listings, never the page: the results show without them
and the national service finders stand in.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from wizard.domain import places
from wizard.domain.directory.browse import Filters, browse
from wizard.domain.directory.index import EMPTY, DirectoryIndex, Entry
from wizard.domain.directory.listing import Listing
from wizard.domain.directory.matching import Request, ServiceMatch, match_services
from wizard.domain.directory.taxonomy import Taxonomy, build_taxonomy
from wizard.domain.directory.visibility import Visibility
from wizard.domain.matching import Result
from wizard.domain.places import Place, place_of
from wizard.domain.rulebook.models import Rulebook
from wizard.storage.directory import DirectoryStore, StoredListing

log = logging.getLogger(__name__)
# How long a process trusts its index before asking whether the directory changed.
RECHECK_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class ShownService:
    listing: Listing
    match: ServiceMatch
    # The directory's version: what is shown of a listing is kept per version (service_listing.html).
    version: int = 0


# Listings read in full, kept per directory version: the same few are shown again and again.
KEPT_LISTINGS = 2000


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where there is none (not Linux, or another C library)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Hand the memory freed after building an index back to the system. Building one parses every
    stored record; the C allocator keeps most of what they took once freed, which would stay in
    every worker for good. Does nothing where glibc is not the C library."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def max_age_days(months: int) -> int:
    return round(months * 365.25 / 12)


class Directory:
    def __init__(self, store: DirectoryStore, rulebook: Rulebook, *, max_age_months: int, show_fictional: bool):
        self.store = store
        self.taxonomy: Taxonomy = build_taxonomy(rulebook.approaches)
        self.max_age_days = max_age_days(max_age_months)
        self.show_fictional = show_fictional
        self._approach_names = {a.id: a.name for a in rulebook.approaches}
        self._life_saving = frozenset(a.id for a in rulebook.approaches if a.life_saving)
        self._medication = frozenset(a.id for a in rulebook.approaches if a.medication == "central")
        self._finders_for = rulebook.finders_for
        self._index: DirectoryIndex = EMPTY
        self._kept: dict[str, Listing] = {}
        self._kept_version = -1
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def index(self) -> DirectoryIndex:
        """This process's index, reloaded when the published directory has changed."""
        now = time.monotonic()
        if now - self._checked_at < RECHECK_SECONDS:
            return self._index
        with self._lock:
            if now - self._checked_at < RECHECK_SECONDS:
                return self._index
            try:
                if self.store.version() != self._index.version or self._index is EMPTY:
                    self._index = self.store.index()
                    release_freed_memory()
            except Exception as exc:
                # Keep what we had; the page shows without new listings. The type only: no data.
                log.warning("directory_unavailable", extra={"error": type(exc).__name__})
            self._checked_at = now
            return self._index

    def warm(self, alive: Callable[[], None] = lambda: None) -> None:
        """Load what a results page needs before the first one is asked for: a worker starting (or
        restarting) answers its first pages as quickly as the rest, instead of timing out while it
        reads the directory. Never fails: a database that is down leaves the index empty, and the
        next request tries again (`index`). `alive` is called between the steps (gunicorn's
        heartbeat: a worker silent for its whole timeout is stopped)."""
        try:
            places.warm()
        except Exception as exc:
            log.warning("places_unavailable", extra={"error": type(exc).__name__})
        alive()
        index = self.index()
        alive()
        index.prepare()
        release_freed_memory()
        alive()

    def nearby(
        self, result: Result | None, answers: Mapping[str, object], *, partner: str | None = None
    ) -> dict[str, object]:
        """What a page shows about the person's place (templates/partials/services_near.html): the
        services for these results, whether a region or town would bring local ones, and the country's
        official service finders (shown where the directory has no listing). For the results,
        reach-out and plan pages and the staff guide alike."""
        if result is None or result.crisis or result.country is None:
            return {"shown_services": (), "place_would_help": False, "finders": ()}
        place = place_of(answers)
        country = result.country.code
        return {
            "shown_services": self.for_result(result, answers, place, partner=partner),
            "place_would_help": not (place.subdivision or place.town) and self.has_local_listings(country),
            "finders": self._finders_for(country),
        }

    def for_result(
        self, result: Result, answers: Mapping[str, object], place: Place, *, partner: str | None = None
    ) -> tuple[ShownService, ...]:
        if result.crisis or not place.country:
            return ()
        request = Request(
            approaches=tuple(match.approach.id for match in result.approaches),
            answers=answers,
            place=place,
            visibility=self.visibility(partner),
            life_saving=self._life_saving,
            medication_approaches=self._medication,
        )
        index = self.index()
        matches = match_services(index, request, self._approach_names)
        if not matches:
            return ()
        listings = self._listings([m.id for m in matches], index.version)
        return tuple(ShownService(listings[m.id], m, index.version) for m in matches if m.id in listings)

    def _listings(self, ids: list[str], version: int) -> dict[str, Listing]:
        """The listings, from this process's memory when this version has been read before."""
        if version != self._kept_version or len(self._kept) > KEPT_LISTINGS:
            self._kept, self._kept_version = {}, version
        missing = [i for i in ids if i not in self._kept]
        if missing:
            try:
                stored = self.store.get_many(missing, with_documents=False)
            except Exception as exc:
                log.warning("directory_unavailable", extra={"error": type(exc).__name__})
                stored = {}
            for service_id, found in stored.items():
                self._kept[service_id] = found.listing
        return {i: self._kept[i] for i in ids if i in self._kept}

    def visibility(self, partner: str | None = None) -> Visibility:
        """What the public may see today (with a partner's own listings when `partner` is given)."""
        return Visibility(
            today=datetime.now(UTC).date(),
            max_age_days=self.max_age_days,
            show_fictional=self.show_fictional,
            partner=partner,
        )

    def browse(self, filters: Filters, *, partner: str | None = None) -> list[Entry]:
        """The public listings that pass the filters, in list order, from this process's index."""
        return browse(self.index(), filters, self.visibility(partner))

    def is_public(self, stored: StoredListing, *, partner: str | None = None) -> bool:
        listing = stored.listing
        return self.visibility(partner).allows(
            publisher=stored.publisher, fictional=stored.fictional, last_checked=listing.last_checked
        )

    def has_local_listings(self, country: str) -> bool:
        """Whether the directory lists services in the country for a region or a place, not the whole
        of it (those a region or a town would bring)."""
        return any(not entry.whole_country for entry in self.index().in_country(country))
