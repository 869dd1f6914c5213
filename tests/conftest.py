from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from wizard.domain.matching import Matcher
from wizard.domain.rulebook.loader import load_rulebook

# Every test process gets its own database and data key, never the developer's in instance/.
_STORAGE = Path(tempfile.mkdtemp(prefix="wizard-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_STORAGE / 'wizard.sqlite3'}"
# The app is production unless told otherwise; tests use the development mode that `make run`
# asks for (plain-HTTP cookies for the test client), and set production where they test it.
os.environ["WIZARD_ENV"] = "development"
os.environ["DATA_KEYS"] = "X3pJqg8kTtZ7s1l3xw0m6E2VwQ9bq2oVjvY5ZtWcH3Y="

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def matcher(rulebook):
    return Matcher(rulebook)
