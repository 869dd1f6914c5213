from __future__ import annotations

import pytest

from tests.support.pages import Browser
from wizard import create_app


@pytest.fixture
def app():
    # CSRF stays on: the tests read the token from each form, as a browser would.
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "EXIT_URL": "https://example.org/weather"})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def browser(client):
    return Browser(client)
