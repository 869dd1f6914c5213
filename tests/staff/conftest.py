"""The staff console's tests: here `app` always has its own staff database (in tmp_path) and a
small scrypt cost, and `client` and `browser` from tests/conftest.py use it."""

from __future__ import annotations

import pytest

from tests.support.pages import Browser
from tests.support.staff import Authenticator, make_app, signed_in_with_phone


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def staff(app) -> tuple[Browser, Authenticator]:
    """alice, signed in, and her authenticator (exports ask for a code again)."""
    return signed_in_with_phone(app, "alice")
