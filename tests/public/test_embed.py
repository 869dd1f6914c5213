"""Embedding: the same journey under /embed/<partner>/, framed only by that partner."""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL

PARTNER = "example"
ORIGINS = "https://partner.example.org http://127.0.0.1:8100"


def test_unknown_partner_is_a_404(client):
    assert client.get("/embed/nobody/").status_code == 404
    assert client.get("/embed/nobody/questions/who").status_code == 404
    assert client.get("/embed/nobody/theme.css").status_code == 404


def test_only_the_partners_origins_may_frame_it(client):
    embedded = client.get(f"/embed/{PARTNER}/questions/who", follow_redirects=True)
    csp = embedded.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {ORIGINS}" in csp
    assert "X-Frame-Options" not in embedded.headers
    normal = client.get("/questions/who")
    assert "frame-ancestors 'none'" in normal.headers["Content-Security-Policy"]
    assert normal.headers["X-Frame-Options"] == "DENY"


def test_embedded_pages_keep_every_link_inside_the_embed(browser):
    page = browser.get(f"/embed/{PARTNER}/")
    links = re.findall(r'href="(/[^"]*)"', page.html)
    journey_links = [link for link in links if not link.startswith(("/static/", "/embed/"))]
    assert journey_links == []
    assert 'target="_top"' in page.html  # "Leave this site" leaves the partner's whole page
    assert 'class="site-footer"' not in page.html
    assert 'class="brand"' not in page.html


def test_embedded_journey_reaches_results_with_a_partitioned_cookie(browser, client):
    first = client.get(f"/embed/{PARTNER}/questions/who")
    set_cookie = first.headers["Set-Cookie"]
    assert set_cookie.startswith("wizard_embed=")
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert attribute in set_cookie
    page = browser.get(f"/embed/{PARTNER}/questions")
    assert browser.history[-1] == f"/embed/{PARTNER}/questions/who"
    while "/questions/" in browser.history[-1]:
        qid = browser.history[-1].rsplit("/", 1)[1]
        page = browser.answer(page, FULL.get(qid))
    assert browser.history[-1] == f"/embed/{PARTNER}/check-answers"
    page = browser.get(f"/embed/{PARTNER}/results")
    assert "Medicine for cravings and withdrawal" in page.text()
    assert client.get_cookie("wizard") is None  # the embed never uses the site's own cookie


def test_quick_exit_in_the_embed_goes_to_the_partners_exit_page(client):
    response = client.get(f"/embed/{PARTNER}/exit")
    assert response.status_code == 303
    assert response.location == "https://www.bbc.co.uk/weather"


def test_partner_theme_and_language_apply(browser, client):
    css = client.get(f"/embed/{PARTNER}/theme.css")
    assert css.mimetype == "text/css"
    assert b"--teal: #5b2a86" in css.data
    assert "max-age" in css.headers["Cache-Control"]
    page = browser.get(f"/embed/{PARTNER}/")
    assert f'href="/embed/{PARTNER}/theme.css"' in page.html


def test_loader_script_is_served_at_a_versioned_address(client):
    response = client.get("/embed/v1/loader.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert "event.origin !== origin" in body and "event.source !== frame.contentWindow" in body
    assert len(response.data) < 4096


def test_partners_page_documents_both_snippets_and_shows_an_example(browser):
    page = browser.get("/partners")
    assert page.h1 == "Put the wizard on your website"
    assert "embed/v1/loader.js" in page.html
    assert "&lt;iframe" in page.html
    assert f'data-partner="{PARTNER}"' in page.html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"allowed_origins": ["https://partner.example.org/"]}, "is not an origin"),
        ({"allowed_origins": ["http://partner.example.org"]}, "use https"),
        ({"default_language": "de"}, "default_language must be one of"),
        ({"default_country": "ZZ"}, "unknown default_country"),
        ({"theme": {"accent": "#ffff00", "text": "#ffffff"}}, "contrast"),
        ({"exit_url": "javascript:alert(1)"}, "exit_url"),
    ],
)
def test_partner_file_mistakes_are_refused(tmp_path, change, message):
    import yaml

    from wizard.platform.partners import PartnerError, load_partners

    partner = {
        "id": "pp",
        "name": "P",
        "allowed_origins": ["https://p.example"],
        "exit_url": "https://example.org",
    } | change
    path = tmp_path / "partners.yaml"
    path.write_text(yaml.safe_dump({"partners": [partner]}))
    with pytest.raises(PartnerError, match=message):
        load_partners(path, frozenset({"GB"}))
