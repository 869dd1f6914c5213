from __future__ import annotations

from pathlib import Path

import pytest

from wizard.rulebook.engine import Matcher
from wizard.rulebook.loader import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def matcher(rulebook):
    return Matcher(rulebook)
