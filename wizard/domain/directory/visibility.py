"""Which listings the public may see: one rule for the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Visibility:
    """What the public may see today: fresh (checked within the maximum age), not fictional unless
    the instance shows fictional listings, and published by the operator or by the partner named."""

    today: date
    max_age_days: int
    show_fictional: bool = False
    partner: str | None = None  # a configured partner's id: its own listings are shown too
    # The oldest check date still shown, worked out once: matching asks for every candidate.
    oldest: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "oldest", self.today - timedelta(days=self.max_age_days))

    def allows(self, publisher: str | None, fictional: bool, last_checked: date | None) -> bool:
        if publisher is not None and publisher != self.partner:
            return False
        if fictional and not self.show_fictional:
            return False
        return last_checked is not None and last_checked >= self.oldest
