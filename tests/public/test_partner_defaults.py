"""L10: a production server loads no example partner and refuses http:// partner origins;
development mode (`make run`) loads the example so the embed can be tried locally."""

from __future__ import annotations

import pytest
import yaml

from tests.support.operator import set_operator
from wizard import create_app
from wizard.platform.partners import DEFAULT_FILE, EXAMPLE_FILE, PartnerError, load_partners


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("WIZARD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("PUBLIC_HOST", "localhost")
    set_operator(monkeypatch)
    monkeypatch.delenv("PARTNERS_FILE", raising=False)


def test_the_shipped_partners_file_lists_no_partner():
    assert load_partners(DEFAULT_FILE, frozenset({"GB"})) == {}


def test_production_frames_for_nobody_by_default(production):
    app = create_app({"EXIT_URL": "https://example.org/weather"})
    assert app.extensions["services"].partners == {}
    client = app.test_client()
    assert client.get("/embed/example/", base_url="https://localhost").status_code == 404
    preflight = client.options(
        "/api/v1/match",
        base_url="https://localhost",
        headers={"Origin": "http://127.0.0.1:8100", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    csp = client.get("/", base_url="https://localhost").headers["Content-Security-Policy"]
    assert "127.0.0.1" not in csp and "partner.example.org" not in csp


def test_development_loads_the_example_partner():
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret"})
    assert "example" in app.extensions["services"].partners


def test_production_refuses_an_http_origin_even_for_localhost(production, tmp_path):
    path = tmp_path / "partners.yaml"
    path.write_text(yaml.safe_dump({"partners": yaml.safe_load(EXAMPLE_FILE.read_text())["partners"]}))
    with pytest.raises(PartnerError, match=r"'http://127.0.0.1:8100': use https"):
        create_app({"EXIT_URL": "https://example.org/weather", "PARTNERS_FILE": str(path)})
    assert "example" in load_partners(path, frozenset({"GB"}), local_http=True)
