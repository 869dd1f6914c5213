"""Which services in the directory to show for a person's results and place, and why.

A service is shown when it offers an approach the results show, serves the person's place,
is fresh enough, and respects what the person ruled out. Because it must offer an approach
the results show, every exclusion and safety rule of the approaches holds for services too
(an approach a rule left out never brings a service in); faith and setting are checked again
on the service's own attributes, since a service can be more than its approaches.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter

from wizard.domain.audience import audience_of
from wizard.domain.directory.browse import public_ids
from wizard.domain.directory.index import REMOTE_BIT, DirectoryIndex, Entry, Slot, attribute_bits
from wizard.domain.directory.taxonomy import MEDICATION, RESIDENTIAL
from wizard.domain.directory.visibility import Visibility
from wizard.domain.matching import Reason
from wizard.domain.messages import N_, Message
from wizard.domain.places import Place, distance_km

# A site this close to the person's town serves them, whatever its listed areas.
NEARBY_KM = 50.0
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

    Runs on every results page, over every service that may serve the place (the index finds
    them by country, region and grid cell), so the loop does only cheap tests, cheapest first;
    the reasons are worded for the few shown."""
    place = request.place
    if not place.country or not request.approaches:
        return ()
    answers = request.answers
    weight: dict[int, int] = {}
    shown_bits = 0
    for position, approach in enumerate(request.approaches):
        bit = index.approach_bit.get(approach)
        if bit:
            shown_bits |= bit
            weight[bit] = len(request.approaches) - position
    if not shown_bits:
        return ()
    town = place.town
    region = place.subdivision
    near = (town.latitude, town.longitude) if town else None
    public = public_ids(index, place.country, request.visibility)
    secular = answers.get("faith") == "secular"
    outpatient = answers.get("setting") == "outpatient"
    wanted = stated_preferences(answers)
    scored = []
    for slot in index.candidates(place.country, region, near, NEARBY_KM):
        if not slot.approach_bits & shown_bits:
            continue
        entry = slot
        if entry.id not in public:
            continue
        if (secular and slot.faith_based) or (outpatient and slot.residential_only):
            continue
        distance = nearest_km(entry, place) if near and entry.sites else None
        if not (
            entry.whole_country
            or (region and region in entry.subdivisions)
            or (distance is not None and distance <= NEARBY_KM)
        ):
            continue
        fit = 0
        for bit in slot.bits:
            fit += weight.get(bit, 0)
        for preference in wanted:
            if slot.attribute_bits & preference.bits:
                fit += 3
        key = (entry.publisher is None, -fit, INFINITY if distance is None else distance, -slot.checked, entry.id)
        scored.append((key, slot, distance))
    shown = _best(scored, sum(index.approach_bit.get(a, 0) for a in request.life_saving))
    rank = {approach: position for position, approach in enumerate(request.approaches)}
    return tuple(
        ServiceMatch(
            id=slot.id,
            reasons=_reasons(slot, slot.approaches.intersection(rank), distance, rank, request, approach_names),
            distance_km=distance,
            partner=slot.publisher is not None,
            fictional=slot.fictional,
        )
        for _key, slot, distance in shown
    )


def _best(scored: list, life_saving_bits: int) -> list:
    """The best SHOWN; when none of them offers overdose prevention, the best that does takes the last place."""
    shown = heapq.nsmallest(SHOWN, scored, key=itemgetter(0))
    if not life_saving_bits or any(slot.approach_bits & life_saving_bits for _k, slot, _d in shown):
        return shown
    saving = [item for item in scored if item[1].approach_bits & life_saving_bits]
    return shown if not saving else [*shown[: SHOWN - 1], min(saving, key=itemgetter(0))]


def _reasons(
    slot: Slot,
    offered: frozenset[str],
    distance: float | None,
    rank: Mapping[str, int],
    request: Request,
    approach_names: Mapping[str, str],
) -> tuple[Reason, ...]:
    texts: list[Message] = [
        Message(N_("Offers: %(approach)s"), approach=approach_names.get(approach, approach))
        for approach in sorted(offered, key=rank.__getitem__)[:APPROACH_REASONS]
    ]
    # "Offers medication-assisted treatment" once: not again when an approach reason says it.
    said_medication = not offered.isdisjoint(request.medication_approaches)
    texts.extend(
        Message(preference.reason)
        for preference in stated_preferences(request.answers)
        if slot.attribute_bits & preference.bits and not (preference is MEDICATION_PREFERENCE and said_medication)
    )
    entry, place = slot, request.place
    if distance is not None and distance <= NEARBY_KM and place.town is not None:
        if distance < 1:
            texts.append(Message(N_("Less than 1 km from %(town)s"), town=place.town.name))
        else:
            texts.append(Message(N_("%(distance)s km from %(town)s"), distance=f"{distance:.0f}", town=place.town.name))
    elif place.subdivision and place.subdivision in entry.subdivisions:
        someone_else = audience_of(request.answers) == "someone_else"
        texts.append(Message(N_("Serves their region") if someone_else else N_("Serves your region")))
    elif entry.whole_country:
        texts.append(Message(N_("Serves the whole country")))
    return tuple(Reason("directory", text) for text in texts)
