"""What a page offers first: the one line to call, and for each approach a real way to start.

The results page, the printed plan and the staff guide all use these, so a person is offered the same
first step wherever they look. Pure: it ranks what the rulebook and the directory already hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from wizard.domain.matching import Result
from wizard.domain.rulebook.models import Helpline


class _Offers(Protocol):
    """A listed service as the pages hold it (platform.directory.ShownService): enough to know what it offers
    and whether it can be phoned."""

    @property
    def listing(self) -> object: ...


@dataclass(frozen=True, slots=True)
class NextSteps:
    # The line to call first: a helpline with a phone number, or None where the country has none.
    first_line: Helpline | None
    # approach id -> the first listed service near the person that offers it.
    services_by_approach: dict[str, object]
    # The best listed service with a phone, when no helpline can be called (or None).
    first_service: object | None


def first_line(result: Result, language: str | None = None) -> Helpline | None:
    """The helpline to offer first, as a large tap-to-call button.

    A person in danger meets a crisis line first. Otherwise the line meant for them: a family line for
    someone asking about another person, a drug and alcohol line for a person asking for themself; then a
    line that answers in the page's language (when its languages are known), open all day, and free.
    A line without a phone number (text or web only) is never the first: the button is a call.
    """
    if result.contacts is None:
        return None
    lines = [line for line in result.contacts.helplines if line.phone]
    if not lines:
        return None
    audience = "family_and_friends" if result.audience == "someone_else" else "people_who_use_drugs"

    def rank(line: Helpline) -> tuple[int, ...]:
        meant_for_them = audience in line.for_whom or "anyone" in line.for_whom
        speaks = not line.languages or language is None or language in line.languages
        return (
            # In danger, a crisis line; otherwise an information or family line, leaving the crisis line to
            # those who need it now (it is still listed below, and in the banner's "Get help now").
            0 if (line.kind == "crisis") == result.crisis else 1,
            0 if meant_for_them else 1,
            0 if speaks else 1,
            0 if line.always_open else 1,
            0 if line.cost == "free" else 1,
        )

    return min(lines, key=rank)


def services_by_approach(approach_ids: Iterable[str], shown: Sequence[_Offers]) -> dict[str, object]:
    """For each approach, the first shown service (best ranked) that offers it."""
    out: dict[str, object] = {}
    for approach_id in approach_ids:
        for service in shown:
            if approach_id in getattr(service.listing, "approaches", ()):
                out[approach_id] = service
                break
    return out


def next_steps(result: Result, shown: Sequence[_Offers], language: str | None = None) -> NextSteps:
    callable_services = [s for s in shown if getattr(s.listing, "phones", ())]
    return NextSteps(
        first_line=first_line(result, language),
        services_by_approach=services_by_approach((m.approach.id for m in result.approaches), shown),
        first_service=callable_services[0] if callable_services else None,
    )
