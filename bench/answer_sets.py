"""Many different visitors' answers for the capacity run, drawn the same way every time.

A server that cached what one replayed cookie asks for would look fast to a
benchmark and to nobody else, so each journey of the capacity run takes its
answers from a pool of POOL_SIZE different sets. They are a seeded sample of
the domain's own walk of the answer space (every combination the rules can
tell apart), so every set is one the wizard really accepts. About one in
PLACE_SHARE of them, where the country has them, also names a region and a
town; the rest leave both blank or say "prefer not to say", as the walk does.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

from wizard.domain import places
from wizard.domain.coverage import walk
from wizard.domain.matching import Matcher
from wizard.domain.rulebook.loader import load_rulebook
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

RULES = Path(__file__).resolve().parent.parent / "rules"
POOL_SIZE = 2000
PLACE_SHARE = 0.3
SEED = 18


def _towns(country: str, region: str | None) -> list[places.Town]:
    """A spread of the country's towns (in the region, or of no known region): up to ten
    starting with each letter, through the same search the town question uses."""
    found: dict[str, places.Town] = {}
    for letter in string.ascii_lowercase:
        for town in places.find_towns(country, letter, region, limit=10):
            found.setdefault(town.id, town)
    return sorted(found.values(), key=lambda t: int(t.id))


def _with_place(answers: dict, rng: random.Random) -> dict:
    """The answers with a region and a town where the path asks for them and the country has them."""
    country = answers.get("country")
    if not isinstance(country, str) or country == PREFER_NOT_TO_SAY:
        return answers
    placed = dict(answers)
    region = None
    if "subdivision" in answers:
        codes = [code for code, _name in places.subdivisions(country, "en")]
        if codes:
            region = rng.choice(codes)
            placed["subdivision"] = region
    if "town" in answers:
        towns = _towns(country, region)
        if towns:
            placed["town"] = rng.choice(towns).id
    return placed


def pool(size: int = POOL_SIZE, seed: int = SEED) -> list[dict]:
    """`size` answer sets (each in the order the questions come), the same ones for the same seed."""
    book = load_rulebook(RULES)
    space = list(walk(book, Matcher(book)))
    rng = random.Random(seed)
    chosen = rng.sample(space, min(size, len(space)))
    return [_with_place(a, rng) if rng.random() < PLACE_SHARE else a for a in chosen]


def key(answers: dict) -> str:
    return json.dumps(answers, sort_keys=True)


def describe(sets: list[dict]) -> dict:
    return {
        "sets": len(sets),
        "distinct": len({key(a) for a in sets}),
        "with_region": sum(1 for a in sets if a.get("subdivision") not in (None, "", PREFER_NOT_TO_SAY)),
        "with_town": sum(1 for a in sets if a.get("town") not in (None, "", PREFER_NOT_TO_SAY)),
        "countries": len({a.get("country") for a in sets}),
    }
