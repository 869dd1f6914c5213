"""Where the person is: a country, optionally an ISO 3166-2 region and a town from an offline gazetteer.

Pure data and look-ups; nothing here asks a service on the network. The answers `subdivision`
(an ISO 3166-2 code such as "PT-13") and `town` (a GeoNames id such as "2735943") are stored like
every other answer; `place_of` turns them into a Place for matching services.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def place_of(answers) -> Place:
    """The place the answers give (the country only, until the region and town questions exist)."""
    country = answers.get("country")
    if not isinstance(country, str) or country == "prefer_not_to_say":
        return Place()
    return Place(country=country)
