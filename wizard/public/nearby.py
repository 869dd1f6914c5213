"""What the pages show about the person's place: services from the directory and the country's
official service finders. Shared by the results, reach-out and printed-plan pages."""

from __future__ import annotations

from collections.abc import Mapping

from flask import g

from wizard.domain.matching import Result
from wizard.domain.places import place_of
from wizard.platform.services import services


def services_for(result: Result | None, answers: Mapping[str, object]) -> tuple:
    """The directory's services for these results, the partner's own first inside its embed."""
    if result is None:
        return ()
    partner = g.get("partner")
    return services().directory.for_result(result, answers, place_of(answers), partner=partner.id if partner else None)


def place_would_help(result: Result | None, answers: Mapping[str, object]) -> bool:
    """The person gave a country but no region or town, and the directory lists local services there:
    the page says a region or town would show them (rather than "no services for this place")."""
    if result is None or result.crisis or result.country is None:
        return False
    place = place_of(answers)
    return not (place.subdivision or place.town) and services().directory.has_local_listings(result.country.code)


def finders_for(result: Result | None) -> tuple:
    """The country's official service finders (shown where the directory has no listing)."""
    return services().rulebook.finders_for(result.country.code) if result and result.country else ()
