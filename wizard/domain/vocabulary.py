"""Words every layer shares: the answer codes that are not options of one question."""

from __future__ import annotations

# The derived answer every condition may test besides the questions: the region of the chosen country.
REGION = "region"
# Offered on every question that allows it; a condition never matches on it.
PREFER_NOT_TO_SAY = "prefer_not_to_say"
