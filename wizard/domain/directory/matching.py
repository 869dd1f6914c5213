"""Which services in the directory to show for a person's results and place, and why.

A service is shown when it offers an approach the results show, serves the person's place,
is fresh enough, and respects what the person ruled out. Because it must offer an approach
the results show, every exclusion and safety rule of the approaches holds for services too
(an approach a rule left out never brings a service in); faith and setting are checked again
on the service's own attributes, since a service can be more than its approaches.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from wizard.domain.audience import audience_of
from wizard.domain.directory.index import (
    REMOTE_BIT,
    CountryIndex,
    DirectoryIndex,
    Entry,
    Numbered,
    attribute_bits,
)
from wizard.domain.directory.ranking import Fits, members
from wizard.domain.directory.taxonomy import MEDICATION, RESIDENTIAL
from wizard.domain.directory.visibility import Visibility
from wizard.domain.matching import Reason
from wizard.domain.messages import N_, Message
from wizard.domain.places import Place, distance_km

# A site this close to the person's town serves them, whatever its listed areas.
NEARBY_KM = 50.0
# Services near a town looked at one by one up to this many; more are first narrowed as a set.
NEAR_ONE_BY_ONE = 64
SHOWN = 5
APPROACH_REASONS = 3
INFINITY = float("inf")


@dataclass(frozen=True, slots=True)
class ServiceMatch:
    id: str
    reasons: tuple[Reason, ...]
    distance_km: float | None
    partner: bool  # from the partner's own directory (shown first inside its embed)
    fictional: bool


@dataclass(frozen=True, slots=True)
class Request:
    """What the person's answers and results tell the directory."""

    approaches: tuple[str, ...]  # approach ids the results show as services, best first
    answers: Mapping[str, object]
    place: Place
    visibility: Visibility  # what the public may see today, the same rule as the API's
    # Overdose prevention (naloxone): when the results show it and a service near the person
    # offers it, one such service is always among those shown, whatever else ranks higher.
    life_saving: frozenset[str] = frozenset()
    # Approaches that are medication (medication-assisted treatment): their reason says so already.
    medication_approaches: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Preference:
    """Something the person asked for that a service's attributes can meet: it ranks a service
    higher and, when met, is one of the reasons it was shown."""

    question: str
    answers: frozenset[str]  # any of these answers states it
    bits: int  # the attribute bits (or "by telephone or online") that meet it
    reason: str


MEDICATION_PREFERENCE = Preference(
    "medication",
    frozenset({"open", "want_to_know_more"}),
    attribute_bits(MEDICATION),
    N_("Offers medication-assisted treatment"),
)
PREFERENCES = (
    Preference("faith", frozenset({"secular"}), attribute_bits({"secular"}), N_("Not faith-based")),
    Preference("faith", frozenset({"faith_based"}), attribute_bits({"faith-based"}), N_("Faith-based")),
    Preference(
        "setting",
        frozenset({"outpatient"}),
        attribute_bits({"outpatient"}),
        N_("You can live at home during treatment"),
    ),
    Preference("setting", frozenset({"inpatient"}), attribute_bits(RESIDENTIAL), N_("Offers a stay at a centre")),
    MEDICATION_PREFERENCE,
    Preference(
        "needs",
        frozenset({"cost"}),
        attribute_bits({"cost-free", "cost-sliding-scale"}),
        N_("Free or pay what you can"),
    ),
    Preference("needs", frozenset({"women_childcare"}), attribute_bits({"women-only"}), N_("For women only")),
    Preference("needs", frozenset({"distance"}), REMOTE_BIT, N_("By telephone or online")),
)


def _given(answers: Mapping[str, object], question: str) -> frozenset[str]:
    value = answers.get(question)
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value) if isinstance(value, (list, tuple, set, frozenset)) else frozenset()


def stated_preferences(answers: Mapping[str, object]) -> tuple[Preference, ...]:
    return tuple(p for p in PREFERENCES if not p.answers.isdisjoint(_given(answers, p.question)))


def nearest_km(entry: Entry, place: Place) -> float | None:
    town = place.town
    sites = entry.sites  # latitude, longitude, latitude, ... (index.py)
    if town is None or not sites:
        return None
    if len(sites) == 2:  # one site, as most services have: no generator to make and run
        return distance_km(town.latitude, town.longitude, sites[0], sites[1])
    return min(distance_km(town.latitude, town.longitude, sites[n], sites[n + 1]) for n in range(0, len(sites), 2))


def match_services(
    index: DirectoryIndex, request: Request, approach_names: Mapping[str, str]
) -> tuple[ServiceMatch, ...]:
    """The services to show, best first: the partner's own, then by fit, distance and freshness.

    Runs on every results page. The services serving the whole country or the person's region
    are filtered and ranked as sets, all at once (ranking.py), unless they have a site and the
    person gave a town (then each has a distance of its own); those and the ones with a site near
    the town (found by grid cell) are looked at one by one, and only those that fit well enough to
    be shown have their distance worked out. The reasons are worded for the few shown."""
    place = request.place
    if not place.country or not request.approaches:
        return ()
    weight: dict[int, int] = {}  # approach bit: how much offering it adds to the fit
    for position, approach in enumerate(request.approaches):
        bit = index.approach_bit.get(approach)
        if bit:
            weight[bit] = len(request.approaches) - position
    country = index.country(place.country)
    if not weight or country is None:
        return ()
    ranking = _Ranking(country, weight, request)
    town, region = place.town, place.subdivision
    listed = ranking.passing(country.listed, country.whole | country.by_region.get(region or "", 0))
    # Those offering overdose prevention: one is always shown when any passes (below).
    life_saving = [index.approach_bit[a] for a in request.life_saving if a in index.approach_bit]
    saving_bits = sum(life_saving)
    located = 0
    if town is not None:
        # With a town, each listed one with a site has a distance of its own: looked at below.
        located = listed & country.listed.sited
        listed ^= located
    found = ranking.best_listed(listed, SHOWN)
    if town is not None:
        # The fit comes before the distance in the ranking: one that fits worse than the fifth
        # best of the rest cannot be shown (unless it is the one offering overdose prevention),
        # so its distance is not worked out.
        barred = len(found) == SHOWN
        bar = found[-1][0][:2] if barred else (True, INFINITY)
        for number in members(located):
            entry = country.listed.entries[number]
            fit = ranking.fit(entry)
            if (entry.publisher is None, -fit) <= bar or entry.approach_bits & saving_bits:
                found.append(ranking.scored(entry, nearest_km(entry, place), fit))
        seen: set[int] = set()
        near = ranking.passing(country.nearby, country.near(town.latitude, town.longitude, NEARBY_KM))
        if barred and near.bit_count() > NEAR_ONE_BY_ONE:
            # Many near a town in a city: those that fit well enough are found as a set first.
            near = ranking.fitting(country.nearby, near, bar) | (near & ranking.offering(country.nearby, life_saving))
        for number in members(near):
            entry = country.nearby.entries[number]
            if region and region in entry.subdivisions:
                continue  # serves the region: among `located` above
            if len(entry.sites) > 2:  # sites in several cells: there once for each
                if id(entry) in seen:
                    continue
                seen.add(id(entry))
            fit = ranking.fit(entry)
            if (entry.publisher is None, -fit) > bar and not entry.approach_bits & saving_bits:
                continue
            distance = nearest_km(entry, place)
            if distance is not None and distance <= NEARBY_KM:
                found.append(ranking.scored(entry, distance, fit))
    shown = heapq.nsmallest(SHOWN, found, key=itemgetter(0))
    # When none of those offers overdose prevention, the best that does takes the last place.
    if saving_bits and not any(entry.approach_bits & saving_bits for _k, entry, _d in shown):
        saving = [item for item in found if item[1].approach_bits & saving_bits]
        saving += ranking.best_listed(listed & ranking.offering(country.listed, life_saving), 1)
        if saving:
            shown = [*shown[: SHOWN - 1], min(saving, key=itemgetter(0))]
    rank = {approach: position for position, approach in enumerate(request.approaches)}
    return tuple(
        ServiceMatch(
            id=entry.id,
            reasons=_reasons(
                entry, entry.approaches.intersection(rank), distance, rank, request, approach_names, ranking.wanted
            ),
            distance_km=distance,
            partner=entry.publisher is not None,
            fictional=entry.fictional,
        )
        for _key, entry, distance in shown
    )


class _Ranking:
    """What one person's answers and results ask of one country's services: which pass, and how
    they rank, one by one (`scored`) or as sets (`passing`, `best_listed`)."""

    __slots__ = ("country", "fits", "outpatient", "secular", "visibility", "wanted", "weight")

    def __init__(self, country: CountryIndex, weight: dict[int, int], request: Request) -> None:
        self.country = country
        self.weight = weight
        self.visibility = request.visibility
        self.secular = request.answers.get("faith") == "secular"
        self.outpatient = request.answers.get("setting") == "outpatient"
        self.wanted = stated_preferences(request.answers)
        self.fits: Fits | None = None  # of the listed entries, added up when first asked for

    def fit(self, entry: Entry) -> int:
        fit = 0
        weight = self.weight
        for bit in entry.bits:
            fit += weight.get(bit, 0)
        for preference in self.wanted:
            if entry.attribute_bits & preference.bits:
                fit += 3
        return fit

    def scored(self, entry: Entry, distance: float | None, fit: int | None = None) -> tuple:
        """The entry's ranking key (lowest first), the entry and its distance."""
        far = INFINITY if distance is None else distance
        if fit is None:
            fit = self.fit(entry)
        return (entry.publisher is None, -fit, far, -entry.checked, entry.id), entry, distance

    @staticmethod
    def offering(numbered: Numbered, approach_bits: Iterable[int]) -> int:
        """The entries offering any of these approaches (as bits)."""
        found = 0
        for bit in approach_bits:
            found |= numbered.offering.get(bit, 0)
        return found

    def passing(self, numbered: Numbered, within: int) -> int:
        """Those of `within` offering an approach shown that the public may see and the person did
        not rule out."""
        ruled_out = numbered.faith_based if self.secular else 0
        if self.outpatient:
            ruled_out |= numbered.residential_only
        return within & self.offering(numbered, self.weight) & numbered.public(self.visibility) & ~ruled_out

    def fitting(self, numbered: Numbered, within: int, bar: tuple[bool, int]) -> int:
        """Those of `within` whose (partner's own or not, fit) ranks as `bar` does or better."""
        fits = self._fits(numbered, within)
        operators, least = bar[0], -bar[1]
        partners = within & numbered.partners
        if operators:  # a partner's own ranks before the operator's, whatever it fits
            return partners | fits.at_least(within & ~partners, least)
        return fits.at_least(partners, least)

    def _fits(self, numbered: Numbered, within: int = -1) -> Fits:
        """The fit of every entry of `within` (all of them when not given), added up as sets:
        each approach shown by its weight, each stated preference met by 3 (as `fit`)."""
        fits = Fits(sum(self.weight.values()) + 3 * len(self.wanted))
        for bit, amount in self.weight.items():
            fits.add(numbered.offering.get(bit, 0) & within, amount)
        for preference in self.wanted:
            fits.add(numbered.having(preference.bits) & within, 3)
        return fits

    def best_listed(self, within: int, count: int) -> list:
        """The best `count` of `within` (listed entries, no distance), scored: the best fits, the
        partner's own first, in tie order (which is their numbering)."""
        if not within:
            return []
        listed = self.country.listed
        fits = self.fits
        if fits is None:
            fits = self.fits = self._fits(listed)
        numbers = fits.best(within & listed.partners, count)
        numbers += fits.best(within & ~listed.partners, count - len(numbers))
        return [self.scored(listed.entries[number], None) for number in numbers]


def _reasons(
    entry: Entry,
    offered: frozenset[str],
    distance: float | None,
    rank: Mapping[str, int],
    request: Request,
    approach_names: Mapping[str, str],
    wanted: tuple[Preference, ...],
) -> tuple[Reason, ...]:
    reasons = [
        _offers(approach_names.get(approach, approach))
        for approach in sorted(offered, key=rank.__getitem__)[:APPROACH_REASONS]
    ]
    # "Offers medication-assisted treatment" once: not again when an approach reason says it.
    said_medication = not offered.isdisjoint(request.medication_approaches)
    reasons.extend(
        PREFERENCE_REASONS[preference]
        for preference in wanted
        if entry.attribute_bits & preference.bits and not (preference is MEDICATION_PREFERENCE and said_medication)
    )
    place = request.place
    if distance is not None and distance <= NEARBY_KM and place.town is not None:
        if distance < 1:
            text = Message(N_("Less than 1 km from %(town)s"), town=place.town.name)
        else:
            text = Message(N_("%(distance)s km from %(town)s"), distance=f"{distance:.0f}", town=place.town.name)
        reasons.append(Reason("directory", text))
    elif place.subdivision and place.subdivision in entry.subdivisions:
        reasons.append(SERVES_THEIR_REGION if audience_of(request.answers) == "someone_else" else SERVES_YOUR_REGION)
    elif entry.whole_country:
        reasons.append(SERVES_THE_COUNTRY)
    return tuple(reasons)


# The reasons every page words the same, made once and shared (a Reason and its text are never changed).
PREFERENCE_REASONS = {preference: Reason("directory", Message(preference.reason)) for preference in PREFERENCES}
SERVES_THEIR_REGION = Reason("directory", Message(N_("Serves their region")))
SERVES_YOUR_REGION = Reason("directory", Message(N_("Serves your region")))
SERVES_THE_COUNTRY = Reason("directory", Message(N_("Serves the whole country")))


@lru_cache(maxsize=1024)
def _offers(approach_name: str) -> Reason:
    return Reason("directory", Message(N_("Offers: %(approach)s"), approach=approach_name))
