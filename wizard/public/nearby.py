"""What the pages show about the person's place (the services near them, whether a region or town
would show more, the country's service finders), for the visitor's partner site if they are in one."""

from __future__ import annotations

from collections.abc import Mapping

from flask import g

from wizard.domain.matching import Result
from wizard.platform.services import services


def nearby(result: Result | None, answers: Mapping[str, object]) -> dict[str, object]:
    partner = g.get("partner")
    return services().directory.nearby(result, answers, partner=partner.id if partner else None)
