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
from datetime import date
from operator import itemgetter

from wizard.domain.audience import audience_of
from wizard.domain.directory.index import REMOTE_BIT, DirectoryIndex, Entry, attribute_bits
from wizard.domain.directory.taxonomy import MEDICATION, RESIDENTIAL
from wizard.domain.matching import Reason
from wizard.domain.messages import N_, Message
from wizard.domain.places import Place, distance_km
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

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
    today: date
    max_age_days: int
    partner: str | None = None
    show_fictional: bool = False
    # Overdose prevention (naloxone): when the results show it and a service near the person
    # offers it, one such service is always among those shown, whatever else ranks higher.
    life_saving: frozenset[str] = frozenset()
    # Approaches that are medication (medication-assisted treatment): their reason says so already.
    medication_approaches: frozenset[str] = frozenset()


def _answer(answers: Mapping[str, object], question: str) -> object:
    value = answers.get(question)
    return None if value == PREFER_NOT_TO_SAY else value


def _needs(answers: Mapping[str, object]) -> frozenset[str]:
    value = answers.get("needs") or ()
    return frozenset(value) if isinstance(value, (list, tuple, set, frozenset)) else frozenset()


def nearest_km(entry: Entry, place: Place) -> float | None:
    town = place.town
    if town is None or not entry.coordinates:
        return None
    return min(distance_km(town.latitude, town.longitude, lat, lon) for lat, lon in entry.coordinates)


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
    oldest = request.today.toordinal() - request.max_age_days
    partner, show_fictional = request.partner, request.show_fictional
    secular = _answer(answers, "faith") == "secular"
    outpatient = _answer(answers, "setting") == "outpatient"
    wanted = _wanted_attributes(answers)
    scored = []
    for slot in index.candidates(place.country, region, near, NEARBY_KM):
        if not slot.approach_bits & shown_bits or slot.checked < oldest:
            continue
        entry = slot.entry
        if entry.publisher is not None and entry.publisher != partner:
            continue
        if (entry.fictional and not show_fictional) or (secular and slot.faith_based):
            continue
        if outpatient and slot.residential_only:
            continue
        distance = nearest_km(entry, place) if near and entry.coordinates else None
        if not (
            entry.whole_country
            or (region and region in entry.subdivisions)
            or (distance is not None and distance <= NEARBY_KM)
        ):
            continue
        fit = 0
        for bit in slot.bits:
            fit += weight.get(bit, 0)
        for mask in wanted:
            if slot.attribute_bits & mask:
                fit += 3
        key = (entry.publisher is None, -fit, INFINITY if distance is None else distance, -slot.checked, entry.id)
        scored.append((key, slot, distance))
    shown = _best(scored, sum(index.approach_bit.get(a, 0) for a in request.life_saving))
    rank = {approach: position for position, approach in enumerate(request.approaches)}
    return tuple(
        ServiceMatch(
            id=slot.entry.id,
            reasons=_reasons(
                slot.entry, slot.entry.approaches.intersection(rank), distance, rank, request, approach_names
            ),
            distance_km=distance,
            partner=slot.entry.publisher is not None,
            fictional=slot.entry.fictional,
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


def _wanted_attributes(answers: Mapping[str, object]) -> tuple[int, ...]:
    """The preferences the person stated, each as the attribute bits that meet it."""
    wanted: list[int] = []
    needs = _needs(answers)
    faith = _answer(answers, "faith")
    if faith == "secular":
        wanted.append(attribute_bits({"secular"}))
    elif faith == "faith_based":
        wanted.append(attribute_bits({"faith-based"}))
    setting = _answer(answers, "setting")
    if setting == "outpatient":
        wanted.append(attribute_bits({"outpatient"}))
    elif setting == "inpatient":
        wanted.append(attribute_bits(RESIDENTIAL))
    if _answer(answers, "medication") in ("open", "want_to_know_more"):
        wanted.append(attribute_bits(MEDICATION))
    if "cost" in needs:
        wanted.append(attribute_bits({"cost-free", "cost-sliding-scale"}))
    if "women_childcare" in needs:
        wanted.append(attribute_bits({"women-only"}))
    if "distance" in needs:
        wanted.append(REMOTE_BIT)
    return tuple(wanted)


def _preferences_met(entry: Entry, answers: Mapping[str, object], *, said_medication: bool = False) -> list[Message]:
    attributes, needs = entry.attributes, _needs(answers)
    met: list[Message] = []
    faith = _answer(answers, "faith")
    if faith == "secular" and "secular" in attributes:
        met.append(Message(N_("Not faith-based")))
    elif faith == "faith_based" and "faith-based" in attributes:
        met.append(Message(N_("Faith-based")))
    setting = _answer(answers, "setting")
    if setting == "outpatient" and "outpatient" in attributes:
        met.append(Message(N_("You can live at home during treatment")))
    elif setting == "inpatient" and attributes & RESIDENTIAL:
        met.append(Message(N_("Offers a stay at a centre")))
    medication_wanted = _answer(answers, "medication") in ("open", "want_to_know_more")
    if medication_wanted and attributes & MEDICATION and not said_medication:
        met.append(Message(N_("Offers medication-assisted treatment")))
    if "cost" in needs and attributes & {"cost-free", "cost-sliding-scale"}:
        met.append(Message(N_("Free or pay what you can")))
    if "women_childcare" in needs and "women-only" in attributes:
        met.append(Message(N_("For women only")))
    if "distance" in needs and entry.remote:
        met.append(Message(N_("By telephone or online")))
    return met


def _reasons(
    entry: Entry,
    offered: frozenset[str],
    distance: float | None,
    rank: Mapping[str, int],
    request: Request,
    approach_names: Mapping[str, str],
) -> tuple[Reason, ...]:
    texts: list[Message] = [
        Message(N_("Offers %(approach)s"), approach=approach_names.get(approach, approach))
        for approach in sorted(offered, key=rank.__getitem__)[:APPROACH_REASONS]
    ]
    # "Offers medication-assisted treatment" once: not again when an approach reason says it.
    said_medication = not offered.isdisjoint(request.medication_approaches)
    texts.extend(_preferences_met(entry, request.answers, said_medication=said_medication))
    place = request.place
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
