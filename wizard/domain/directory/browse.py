"""The directory as the public API lists it: which listings anyone may see, filtered, ordered and cut
into pages, from the in-memory index (only the page's documents are then read in full).

A listing is public when it is fresh (checked within the directory's maximum age), not fictional
(unless the instance shows fictional listings) and published by the operator, or by the partner
the caller names.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from wizard.domain.directory.index import DirectoryIndex, Entry
from wizard.domain.directory.visibility import Visibility
from wizard.domain.places import Town


@dataclass(frozen=True, slots=True)
class Filters:
    country: str | None = None  # ISO 3166-1 alpha-2
    region: str | None = None  # ISO 3166-2; a service serves it when it lists it or the whole country
    approaches: frozenset[str] = frozenset()  # approach ids; a service offering any of them
    near: Town | None = None  # nearest first; services without a site last


def _matches(entry: Entry, filters: Filters) -> bool:
    if filters.region and not (entry.whole_country or filters.region in entry.subdivisions):
        return False
    return not filters.approaches or not entry.approaches.isdisjoint(filters.approaches)


# Work kept per index (it never changes once built): the public entries in id order for each
# country and visibility, and each entry's sites in radians. A new index starts afresh.
_MEMO: weakref.WeakKeyDictionary[DirectoryIndex, dict] = weakref.WeakKeyDictionary()
_MEMO_LIMIT = 256
_NEAR_LIMIT = 16  # orders by distance kept, the most recently asked
_NEAR_LOCK = threading.Lock()


def _memo(index: DirectoryIndex) -> dict:
    memo = _MEMO.get(index)
    if memo is None or len(memo) > _MEMO_LIMIT:
        memo = _MEMO[index] = {}
    return memo


def _public(index: DirectoryIndex, country: str | None, visibility: Visibility) -> list[Entry]:
    memo = _memo(index)
    key = ("public", country, visibility)
    found = memo.get(key)
    if found is None:
        pool = index.in_country(country) if country else [e for c in index.countries() for e in index.in_country(c)]
        allows = visibility.allows
        found = [e for e in pool if allows(publisher=e.publisher, fictional=e.fictional, last_checked=e.last_checked)]
        found.sort(key=lambda entry: entry.id)
        memo[key] = found
    return found


def _radians(lat: float, lon: float) -> tuple[float, float, float]:
    return math.radians(lat), math.radians(lon), math.cos(math.radians(lat))


def _sites(index: DirectoryIndex) -> dict[str, tuple[tuple[float, float, float], ...]]:
    memo = _memo(index)
    sites = memo.get("sites")
    if sites is None:
        sites = memo["sites"] = {
            e.id: tuple(_radians(lat, lon) for lat, lon in e.coordinates)
            for c in index.countries()
            for e in index.in_country(c)
        }
    return sites


def _by_distance(index: DirectoryIndex, entries: list[Entry], town: Town) -> list[Entry]:
    """Nearest first; the haversine term alone orders as the distance does, without its square root."""
    sites = _sites(index)
    lat, lon = math.radians(town.latitude), math.radians(town.longitude)
    cos_lat, sin, inf = math.cos(lat), math.sin, math.inf

    def key(entry: Entry) -> tuple[float, str]:
        nearest = inf
        for site_lat, site_lon, site_cos in sites.get(entry.id, ()):
            h = sin((site_lat - lat) / 2) ** 2 + cos_lat * site_cos * sin((site_lon - lon) / 2) ** 2
            nearest = min(nearest, h)
        return nearest, entry.id

    return sorted(entries, key=key)


def browse(index: DirectoryIndex, filters: Filters, visibility: Visibility) -> list[Entry]:
    """The public listings that pass the filters: nearest first with `near`, else by id (a stable order,
    so the pages of a list do not shift between requests while the directory stays the same).
    The list is kept for the next request with the same index: read it, never change it."""
    country = filters.country or (filters.region.split("-", 1)[0] if filters.region else None)
    found = _public(index, country, visibility)
    if filters.region or filters.approaches:
        found = [entry for entry in found if _matches(entry, filters)]
    if filters.near is None:
        return found
    # Sorting the whole directory by distance is the costly part: a client reading page after page
    # from one town asks for the same order again.
    key = (filters, visibility)
    with _NEAR_LOCK:
        recent = _memo(index).setdefault("near", OrderedDict())
        ordered = recent.get(key)
        if ordered is not None:
            recent.move_to_end(key)
            return ordered
    ordered = _by_distance(index, found, filters.near)
    with _NEAR_LOCK:
        recent[key] = ordered
        while len(recent) > _NEAR_LIMIT:
            recent.popitem(last=False)
    return ordered


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list, in the shape of Open Referral's paginated responses."""

    items: Sequence
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool

    def counts(self) -> dict:
        return {
            "total_items": self.total_items,
            "total_pages": self.total_pages,
            "page_number": self.page_number,
            "size": self.size,
            "first_page": self.first_page,
            "last_page": self.last_page,
            "empty": self.empty,
        }


def page_of(items: Sequence, page: int, per_page: int) -> Page:
    """Page `page` (from 1) of `per_page` items; a page after the last is empty, never an error."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page count from 1")
    total = len(items)
    pages = math.ceil(total / per_page)
    chosen = items[(page - 1) * per_page : page * per_page]
    return Page(
        items=chosen,
        total_items=total,
        total_pages=pages,
        page_number=page,
        size=len(chosen),
        first_page=page == 1,
        last_page=page >= pages,
        empty=total == 0,
    )


# --- the list shape of a service ----------------------------------------------------------------

# Open Referral's list of services carries a service's one-to-one fields and its organization and
# program (their own one-to-one fields); phones, locations, schedules and the rest are in the full
# service.
SERVICE_FIELDS = (
    "id",
    "organization_id",
    "program_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "fees",
    "accreditations",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "licenses",
    "alert",
    "last_modified",
)
ORGANIZATION_FIELDS = (
    "id",
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "tax_status",
    "tax_id",
    "year_incorporated",
    "legal_status",
    "logo",
    "uri",
    "parent_organization_id",
)
PROGRAM_FIELDS = ("id", "organization_id", "name", "alternate_name", "description")


def _only(document: object, fields: tuple[str, ...]) -> dict | None:
    if not isinstance(document, dict):
        return None
    return {key: document[key] for key in fields if key in document}


def list_item(document: dict) -> dict:
    """A service document in the shape of an item of Open Referral's list of services."""
    item = _only(document, SERVICE_FIELDS) or {}
    for key, fields in (("organization", ORGANIZATION_FIELDS), ("program", PROGRAM_FIELDS)):
        nested = _only(document.get(key), fields)
        if nested is not None:
            item[key] = nested
    return item


# --- codes a caller may filter by ----------------------------------------------------------------


@cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _regions() -> frozenset[str]:
    import pycountry

    return frozenset(s.code for s in pycountry.subdivisions)


def is_country(code: str) -> bool:
    return code in _countries()


def is_region(code: str) -> bool:
    return code in _regions()
