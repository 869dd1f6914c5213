"""What the pages show about the person's place (the services near them, whether a region or town
would show more, the country's service finders), for the visitor's partner site if they are in one."""

from __future__ import annotations

from collections.abc import Mapping

from flask import g

from wizard.domain.matching import Result
from wizard.domain.next_steps import next_steps
from wizard.platform import i18n
from wizard.platform.services import services


def nearby(result: Result | None, answers: Mapping[str, object]) -> dict[str, object]:
    """The services near the person, and the next steps they lead to (the line to call first, and a real
    contact for each approach): the same on the results, reach-out and plan pages."""
    partner = g.get("partner")
    shown = services().directory.nearby(result, answers, partner=partner.id if partner else None)
    if result is not None:
        shown["steps"] = next_steps(result, shown["shown_services"], i18n.spoken_language(i18n.language()))
    return shown
