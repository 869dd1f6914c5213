"""Property-based tests of the public API against its own OpenAPI document.

Schemathesis generates requests (valid and invalid) for every operation in
/api/v1/openapi.json and checks that no response is a server error and that
every response matches the schema documented for its status code.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from wizard import create_app
from wizard.platform.rate_limits import limiter


def _app():
    # The rate limit is tested in tests/api/test_api.py; here it would only get in the way.
    # One limiter serves every app in the process, so leave it as it was for the other tests.
    enabled = limiter.enabled
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    limiter.enabled = enabled
    return app


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _app())


@pytest.fixture(autouse=True)
def _no_rate_limit():
    enabled = limiter.enabled
    limiter.enabled = False
    yield
    limiter.enabled = enabled


def test_the_document_is_valid_openapi_3_1():
    assert schema.raw_schema["openapi"] == "3.1.0"
    schema.validate()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_api_conforms_to_its_schema(case):
    # The in-process WSGI transport does not undo gzip as an HTTP client would, so ask for none.
    response = case.call_and_validate(
        headers={"Accept-Encoding": "identity"}, checks=[not_a_server_error, response_schema_conformance]
    )
    assert response.status_code != 429, "the rate limit should be off here"
