"""Three apps, one site: the public journey, the staff console (/staff) and the API (/api/v1) each
answer their own addresses with their own error pages, cookie and language, and share one set
of services."""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

from tests.support.answers import FULL
from tests.support.journey import walk

PROBLEM = "application/problem+json"


def test_each_app_answers_an_address_it_does_not_have_with_its_own_page(client):
    public = client.get("/no-such-page?lang=es")
    assert public.status_code == 404 and public.mimetype == "text/html"
    assert 'lang="es"' in public.text and "Staff console" not in public.text
    staff = client.get("/staff/no-such?lang=es", headers={"Accept-Language": "es"})
    assert staff.status_code == 404 and staff.mimetype == "text/html"
    # The console's page, in English whatever was asked for.
    assert "Page not found – Staff console" in staff.text and 'lang="en"' in staff.text
    api = client.get("/api/v1/no-such", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.mimetype == PROBLEM
    assert api.get_json()["status"] == 404


def test_each_app_refuses_a_wrong_method_in_its_own_format(client):
    assert client.post("/privacy").mimetype == "text/html"
    staff = client.put("/staff/sign-in")
    assert staff.status_code == 405 and "Staff console" in staff.text
    api = client.put("/api/v1/questions")
    assert api.status_code == 405 and api.mimetype == PROBLEM


def test_the_api_reads_no_cookie_and_sets_none_even_when_the_request_carries_them(browser, client):
    walk(browser, FULL)  # the client now carries the journey's cookie, with its answers
    client.get("/?lang=fr")  # and a remembered language
    client.get("/staff/sign-in")  # and the console's cookie
    assert {cookie.key for cookie in client._cookies.values()} >= {"wizard", "wizard_staff"}
    for response in (
        client.get("/api/v1/questions"),
        client.get("/api/v1/"),
        client.post("/api/v1/match", json={"answers": {"faith": "?"}}),
        client.get("/api/v1/no-such"),
    ):
        assert "Set-Cookie" not in response.headers, response.request.path
        # Nothing in the answer depends on a cookie, so caches need not key on it.
        assert "Cookie" not in response.headers.get("Vary", ""), response.request.path
    # The language the journey remembers in its cookie is not the API's.
    assert client.get("/api/v1/questions").headers["Content-Language"] == "en"
    assert 'lang="en"' in client.get("/api/v1/").text


def test_a_refused_cookie_is_deleted_by_the_public_app_and_ignored_by_the_api(client):
    """The public app's session handling (it deletes a forged cookie) never runs for the API."""
    client.set_cookie("wizard", "forged.value.here")
    public = client.get("/privacy")
    assert any(c.startswith("wizard=;") for c in public.headers.getlist("Set-Cookie"))
    assert "Cookie" in public.headers["Vary"]
    client.set_cookie("wizard", "forged.value.here")
    api = client.get("/api/v1/questions")
    assert "Set-Cookie" not in api.headers and "Cookie" not in api.headers["Vary"]


def test_the_console_is_english_only_and_never_touches_the_journeys_cookie(client):
    page = client.get("/staff/sign-in?lang=ar", headers={"Accept-Language": "ar"})
    assert page.status_code == 200 and 'lang="en" dir="ltr"' in page.text
    cookies = page.headers.getlist("Set-Cookie")
    assert [c.split("=", 1)[0] for c in cookies] == ["wizard_staff"]


def test_the_three_apps_share_one_set_of_services(app):
    site = app.site
    assert site.public is app
    assert site.staff.extensions["services"] is app.extensions["services"]
    assert site.api.extensions["services"] is app.extensions["services"]


def test_links_between_apps_keep_the_prefix_the_site_is_mounted_under(app):
    client = Client(DispatcherMiddleware(NotFound(), {"/prefix": app.site}))
    docs = client.get("/prefix/api/v1/")
    assert docs.status_code == 200
    text = docs.get_data(as_text=True)
    # The API's own links, and the public layout's links into the public app and its files.
    assert 'href="/prefix/api/v1/openapi.json"' in text
    assert 'href="/prefix/privacy' in text and 'href="/prefix/"' in text
    assert 'href="/prefix/static/wizard.' in text
    assert 'href="/privacy' not in text
    sign_in = client.get("/prefix/staff/sign-in").get_data(as_text=True)
    assert 'action="/prefix/staff/sign-in"' in sign_in
    assert 'href="/prefix/static/wizard.' in sign_in
