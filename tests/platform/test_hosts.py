"""L4: only the configured host names are answered, so no link is built on a Host header an
attacker sent; M7: with STAFF_HOST the console lives on its own host and nowhere else."""

from __future__ import annotations

import re

import pytest

from tests.support.operator import OPERATOR_SETTINGS
from wizard import create_app


def make_app(**overrides):
    return create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret", "EXIT_URL": "https://example.org/weather", **overrides}
    )


def test_a_foreign_host_header_is_refused_before_any_link_is_built():
    """The review's reproduction: Host: evil.example was reflected in share links, the partners
    snippet and the API's problem type."""
    client = make_app(PUBLIC_HOST="help.example.org").test_client()
    for path in ("/", "/partners", "/results/share", "/api/v1/questions"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert b"evil.example" not in response.data
    problem = client.post("/api/v1/match", json={"answers": {"who": "nobody"}}, headers={"Host": "evil.example"})
    assert problem.status_code == 400 and b"evil.example" not in problem.data
    assert client.get("/partners", headers={"Host": "help.example.org"}).status_code == 200
    assert b"help.example.org/embed/v1/loader.js" in client.get("/partners", headers={"Host": "help.example.org"}).data


def test_health_probes_answer_on_the_instance_address():
    client = make_app(PUBLIC_HOST="help.example.org").test_client()
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    assert client.get("/readyz", headers={"Host": "10.0.0.5:8000"}).status_code in (200, 503)


@pytest.mark.parametrize("value", ["https://help.example.org", "help.example.org/path", "bad host"])
def test_a_host_setting_that_is_not_a_host_name_is_refused_at_start(value):
    with pytest.raises(RuntimeError, match="is not a host name"):
        make_app(PUBLIC_HOST=value)


@pytest.fixture
def split():
    return make_app(PUBLIC_HOST="help.example.org", STAFF_HOST="staff.example.org").test_client()


def test_with_a_staff_host_the_console_answers_only_there(split):
    assert split.get("/staff/sign-in", headers={"Host": "help.example.org"}).status_code == 404
    assert split.get("/staff", headers={"Host": "help.example.org"}).status_code == 404
    assert split.get("/staff/sign-in", headers={"Host": "staff.example.org"}).status_code == 200


def test_the_staff_host_serves_no_public_page(split):
    for path in ("/", "/questions/who", "/partners", "/embed/example/", "/api/v1/questions"):
        assert split.get(path, headers={"Host": "staff.example.org"}).status_code == 404, path
    assert split.get("/", headers={"Host": "help.example.org"}).status_code == 200
    assert split.get("/healthz", headers={"Host": "staff.example.org"}).status_code == 200


def test_on_its_own_host_the_staff_cookie_is_host_only(monkeypatch):
    """M7 with L7: on STAFF_HOST the console's cookie is `__Host-` (Secure, Path=/, no Domain)."""
    monkeypatch.setenv("WIZARD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    app = create_app(
        {
            "EXIT_URL": "https://example.org/weather",
            "PUBLIC_HOST": "help.example.org",
            "STAFF_HOST": "staff.example.org",
            **OPERATOR_SETTINGS,
        }
    )
    client = app.test_client()
    page = client.get("/staff/sign-in", base_url="https://staff.example.org")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("__Host-wizard_staff=") and "Path=/;" in cookie and "Secure" in cookie
    assert "Domain" not in cookie
    public = client.get("/", base_url="https://help.example.org")
    assert public.status_code == 200


def test_with_a_staff_host_each_app_refuses_the_other_host_with_its_own_404(split):
    staff_host, public_host = {"Host": "staff.example.org"}, {"Host": "help.example.org"}
    console = split.get("/staff/sign-in", headers=public_host)
    assert console.status_code == 404 and "Staff console" in console.text
    page = split.get("/questions/who", headers=staff_host)
    assert page.status_code == 404 and page.mimetype == "text/html" and "Staff console" not in page.text
    api = split.get("/api/v1/questions", headers=staff_host)
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    assert split.get("/api/v1/questions", headers=public_host).status_code == 200


def test_the_staff_host_serves_the_files_its_pages_use(split):
    page = split.get("/staff/sign-in", headers={"Host": "staff.example.org"}).text
    stylesheet = re.search(r'href="(/static/wizard(?:-[0-9a-f]{32})?\.css)"', page).group(1)
    assert split.get(stylesheet, headers={"Host": "staff.example.org"}).status_code == 200
    # Only the probes the load balancer uses answer on any host; the database's is for alerting.
    assert split.get("/readyz", headers={"Host": "staff.example.org"}).status_code == 200
    assert split.get("/readyz/database", headers={"Host": "staff.example.org"}).status_code == 404
