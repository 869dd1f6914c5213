"""Who the answers are for: the person themselves, or someone they care about.

The "who" question decides it, and every wording that differs by reader follows it.
This is the one place that reads it, for the journey, the forms, the API and matching.
"""

from __future__ import annotations

from collections.abc import Mapping

WHO = "who"
MYSELF = "myself"
SOMEONE_ELSE = "someone_else"


def audience_of(answers: Mapping[str, object]) -> str:
    """Someone else when the answers say so, otherwise the person themselves (also with no answer)."""
    return SOMEONE_ELSE if answers.get(WHO) == SOMEONE_ELSE else MYSELF
