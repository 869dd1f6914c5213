from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest

from tests.support.pages import Browser
from wizard import create_app
from wizard.domain.matching import Matcher
from wizard.domain.rulebook.loader import load_rulebook

# Every test process gets its own database and data key, never the developer's in instance/.
_STORAGE = Path(tempfile.mkdtemp(prefix="wizard-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_STORAGE / 'wizard.sqlite3'}"
# The app is production unless told otherwise; tests use the development mode that `make run`
# asks for (plain-HTTP cookies for the test client), and set production where they test it.
os.environ["WIZARD_ENV"] = "development"
os.environ["DATA_KEYS"] = "X3pJqg8kTtZ7s1l3xw0m6E2VwQ9bq2oVjvY5ZtWcH3Y="

# The throwaway PostgreSQL and Redis servers that the storage and system tests ask for.
pytest_plugins = ["tests.support.database_servers"]

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def matcher(rulebook):
    return Matcher(rulebook)


# CSRF stays on: the tests read the token from each form, as a browser would.
SETTINGS = {"TESTING": True, "SECRET_KEY": "test-secret", "EXIT_URL": "https://example.org/weather"}


@pytest.fixture
def app_with(tmp_path):
    """Make an app with a test's own settings on top of SETTINGS. With `database=True` it gets a
    SQLite file of its own (otherwise it shares the test process's database)."""
    numbers = itertools.count()

    def make(*, database: bool = False, **settings):
        if database:
            settings = {"DATABASE_URL": f"sqlite:///{tmp_path / f'app-{next(numbers)}.sqlite3'}", **settings}
        return create_app({**SETTINGS, **settings})

    return make


@pytest.fixture
def app(request, app_with):
    """The app for a test: a module (or a test) asks for its own settings with
    `pytest.mark.app_settings(...)`, which takes app_with's arguments."""
    marker = request.node.get_closest_marker("app_settings")
    return app_with(**(marker.kwargs if marker else {}))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def browser(client):
    return Browser(client)
