"""Which services in the directory to show for a person's results and place, and why.

A service is shown when it offers an approach the results show, serves the person's place,
is fresh enough, and respects what the person ruled out. Because it must offer an approach
the results show, every exclusion and safety rule of the approaches holds for services too
(an approach a rule left out never brings a service in); faith and setting are checked again
on the service's own attributes, since a service can be more than its approaches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from wizard.domain.audience import audience_of
from wizard.domain.directory.index import DirectoryIndex, Entry
from wizard.domain.directory.taxonomy import MEDICATION, RESIDENTIAL
from wizard.domain.matching import Reason
from wizard.domain.messages import N_, Message
from wizard.domain.places import Place, distance_km
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

# A site this close to the person's town serves them, whatever its listed areas.
NEARBY_KM = 50.0
SHOWN = 5
APPROACH_REASONS = 3


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


def _answer(answers: Mapping[str, object], question: str) -> object:
    value = answers.get(question)
    return None if value == PREFER_NOT_TO_SAY else value


def _needs(answers: Mapping[str, object]) -> frozenset[str]:
    value = answers.get("needs") or ()
    return frozenset(value) if isinstance(value, (list, tuple, set, frozenset)) else frozenset()


def ruled_out(entry: Entry, answers: Mapping[str, object]) -> bool:
    """What the person said no to, on the service's own attributes."""
    if _answer(answers, "faith") == "secular" and "faith-based" in entry.attributes:
        return True
    residential_only = entry.attributes & RESIDENTIAL and "outpatient" not in entry.attributes
    return bool(_answer(answers, "setting") == "outpatient" and residential_only)


def nearest_km(entry: Entry, place: Place) -> float | None:
    town = place.town
    if town is None or not entry.coordinates:
        return None
    return min(distance_km(town.latitude, town.longitude, lat, lon) for lat, lon in entry.coordinates)


def serves(entry: Entry, place: Place, distance: float | None) -> bool:
    if entry.whole_country:
        return True
    if place.subdivision and place.subdivision in entry.subdivisions:
        return True
    return distance is not None and distance <= NEARBY_KM


def fresh(entry: Entry, request: Request) -> bool:
    return entry.last_checked is not None and (request.today - entry.last_checked).days <= request.max_age_days


def match_services(
    index: DirectoryIndex, request: Request, approach_names: Mapping[str, str]
) -> tuple[ServiceMatch, ...]:
    """The services to show, best first: the partner's own, then by fit, distance and freshness."""
    place = request.place
    if not place.country or not request.approaches:
        return ()
    rank = {approach: position for position, approach in enumerate(request.approaches)}
    answers = request.answers
    scored = []
    for entry in index.in_country(place.country):
        if entry.publisher is not None and entry.publisher != request.partner:
            continue
        if entry.fictional and not request.show_fictional:
            continue
        offered = entry.approaches.intersection(rank)
        if not offered or ruled_out(entry, answers) or not fresh(entry, request):
            continue
        distance = nearest_km(entry, place)
        if not serves(entry, place, distance):
            continue
        fit = sum(len(rank) - rank[a] for a in offered) + 3 * len(_preferences_met(entry, answers))
        own = entry.publisher is not None
        freshness = entry.last_checked.toordinal() if entry.last_checked else 0
        key = (not own, -fit, distance if distance is not None else float("inf"), -freshness, entry.id)
        scored.append((key, entry, offered, distance))
    scored.sort(key=lambda item: item[0])
    shown = _keep_life_saving(scored, request.life_saving)
    return tuple(
        ServiceMatch(
            id=entry.id,
            reasons=_reasons(entry, offered, distance, rank, request, approach_names),
            distance_km=distance,
            partner=entry.publisher is not None,
            fictional=entry.fictional,
        )
        for _key, entry, offered, distance in shown
    )


def _keep_life_saving(scored: list, life_saving: frozenset[str]) -> list:
    shown = scored[:SHOWN]
    if not life_saving or any(offered & life_saving for _k, _e, offered, _d in shown):
        return shown
    best = next((item for item in scored[SHOWN:] if item[2] & life_saving), None)
    return shown if best is None else [*shown[: SHOWN - 1], best]


def _preferences_met(entry: Entry, answers: Mapping[str, object]) -> list[Message]:
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
    if _answer(answers, "medication") in ("open", "want_to_know_more") and attributes & MEDICATION:
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
    texts.extend(_preferences_met(entry, request.answers))
    place = request.place
    if distance is not None and distance <= NEARBY_KM and place.town is not None:
        texts.append(Message(N_("%(distance)s km from %(town)s"), distance=f"{distance:.0f}", town=place.town.name))
    elif place.subdivision and place.subdivision in entry.subdivisions:
        someone_else = audience_of(request.answers) == "someone_else"
        texts.append(Message(N_("Serves their region") if someone_else else N_("Serves your region")))
    elif entry.whole_country:
        texts.append(Message(N_("Serves the whole country")))
    return tuple(Reason("directory", text) for text in texts)
