"""Portugal's Portuguese and Brazil's: which one a person gets, and that nothing made in one breaks in the other.

The pt-PT catalogue holds only what differs; everything else comes from pt-BR (see test_translations)."""

from __future__ import annotations

import html
import re

import pytest
import yaml

from tests.support.answers import FULL
from tests.support.journey import walk
from tests.support.pages import Browser
from wizard.platform.partners import EXAMPLE_FILE, PartnerError, load_partners

PORTUGAL = {**FULL, "country": "PT"}
BRAZIL = {**FULL, "country": "BR"}
# A message pt-PT words differently, and one it leaves to pt-BR.
GET_HELP = {"pt-PT": "Obter ajuda agora", "pt-BR": "Buscar ajuda agora"}


def page_language(page) -> str:
    return re.search(r'<html lang="([a-zA-Z-]+)"', page.html).group(1)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("pt-PT", "pt-PT"),
        ("pt-pt,pt;q=0.9,en;q=0.5", "pt-PT"),
        ("pt-BR", "pt-BR"),
        ("pt-AO", "pt-PT"),  # Angola follows the European standard
        ("pt", "pt-BR"),  # no country known yet
        ("en-GB,pt-PT;q=0.8", "en"),
    ],
)
def test_the_browser_language_picks_the_variant(client, header, expected):
    page = Browser(client).get("/", headers={"Accept-Language": header})
    assert page_language(page) == expected
    if expected in GET_HELP:
        assert GET_HELP[expected] in page.html


@pytest.mark.parametrize(
    ("header", "answers", "expected"),
    [
        ("pt", PORTUGAL, "pt-PT"),
        ("pt", BRAZIL, "pt-BR"),
        ("pt-BR", PORTUGAL, "pt-BR"),  # asked for by name: kept
        ("pt-PT", BRAZIL, "pt-PT"),
    ],
)
def test_plain_portuguese_follows_the_country_answered(client, header, answers, expected):
    browser = Browser(client)
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = header
    walk(browser, answers)
    assert page_language(browser.get("/check-answers")) == expected


def test_a_link_or_cookie_from_before_the_split_still_works(client):
    """ "pt" named the Brazilian catalogue; it now reads as the variant of the person's country."""
    browser = Browser(client)
    first = browser.get("/?lang=pt")
    assert page_language(first) == "pt-BR"
    walk(browser, PORTUGAL)
    assert page_language(browser.get("/results")) == "pt-PT"


def test_the_switcher_names_both(client):
    page = Browser(client).get("/?lang=pt-PT")
    assert 'lang="pt-BR" hreflang="pt-BR"' in page.html and ">Português (Brasil)</a>" in page.html
    assert 'lang="pt-PT" hreflang="pt-PT"' in page.html and ">Português (Portugal)</a>" in page.html


def test_answers_and_share_codes_made_in_one_open_in_the_other(app, client):
    browser = Browser(client)
    browser.get("/?lang=pt-BR")
    walk(browser, PORTUGAL)
    brazilian = browser.get("/results")
    share = browser.get("/results/share")
    link = html.unescape(re.search(r'id="share-link" type="text" value="([^"]+)"', share.html).group(1))
    # The same person switches: every answer is kept.
    european = browser.get("/results?lang=pt-PT")
    assert page_language(european) == "pt-PT"
    assert european.html.count('class="card"') == brazilian.html.count('class="card"') > 0
    # Someone in Portugal opens the link.
    other = Browser(app.test_client())
    opened = other.get(link.removeprefix("http://localhost"), headers={"Accept-Language": "pt-PT"})
    assert opened.status == 200 and page_language(opened) == "pt-PT"
    assert opened.html.count('class="card"') == brazilian.html.count('class="card"')


def test_country_names_follow_the_variant(app):
    """Babel's data for the variant, not only its catalogue: Portugal's names for countries."""
    pages = {}
    for lang in ("pt-PT", "pt-BR"):
        browser = Browser(app.test_client())
        browser.get(f"/?lang={lang}")
        pages[lang] = browser.answer(browser.get("/questions/who"), "myself")
    # CLDR: "Quénia" in Portugal, "Quênia" in Brazil.
    assert "Quénia" in pages["pt-PT"].html and "Quênia" in pages["pt-BR"].html


def test_a_partner_set_to_plain_portuguese_gets_the_variant_of_each_visitor(app_with, tmp_path):
    partners = yaml.safe_load(EXAMPLE_FILE.read_text())["partners"]
    partners[0]["default_language"] = "pt"
    path = tmp_path / "partners.yaml"
    path.write_text(yaml.safe_dump({"partners": partners}))
    app = app_with(PARTNERS_FILE=str(path))
    prefix = f"/embed/{partners[0]['id']}"
    browser = Browser(app.test_client())
    assert page_language(browser.get(f"{prefix}/")) == "pt-BR"
    page = browser.answer(browser.get(f"{prefix}/questions/who"), "myself")
    page = browser.answer(page, "PT")
    assert page_language(page) == "pt-PT"
    # A partner in Portugal: Portugal's from the first page, until the visitor answers another country.
    partners[0]["default_country"] = "PT"
    path.write_text(yaml.safe_dump({"partners": partners}))
    browser = Browser(app_with(PARTNERS_FILE=str(path)).test_client())
    assert page_language(browser.get(f"{prefix}/")) == "pt-PT"
    page = browser.answer(browser.get(f"{prefix}/questions/who"), "myself")
    assert page_language(browser.answer(page, "BR")) == "pt-BR"


def test_a_partner_language_we_do_not_have_is_refused(tmp_path):
    partners = yaml.safe_load(EXAMPLE_FILE.read_text())["partners"]
    partners[0]["default_language"] = "pt-AO"
    path = tmp_path / "partners.yaml"
    path.write_text(yaml.safe_dump({"partners": partners}))
    with pytest.raises(PartnerError, match="default_language must be one of en, es, pt-BR, pt-PT"):
        load_partners(path, frozenset({"GB", "PT"}), local_http=True)
