from __future__ import annotations

import itertools

import pytest

from tests.support.pages import Browser
from wizard import create_app

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
