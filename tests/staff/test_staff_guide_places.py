"""Region and town in the conversation guide: names, not codes, and the same checks as the public form."""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL
from tests.support.staff import form_data, signed_in


@pytest.fixture
def browser(app):
    return signed_in(app)


def guide_page(browser, answers: dict):
    token = browser.get("/staff/guide").csrf_token()
    return browser.post("/staff/guide", data=form_data(answers, csrf_token=token))


def test_the_guide_shows_region_and_town_by_name(browser):
    page = guide_page(browser, {**FULL, "country": "US", "subdivision": "US-IL", "town": "Springfield"})
    assert not page.has_error_summary(), page.text()
    text = page.text()
    assert "Region: Illinois" in text and "Town or city: Springfield, Illinois" in text
    assert "Ask: which region, state or province are you in?" in text
    # The chosen town goes again as its id, so "Update results" keeps the same town.
    assert 'name="town" value="#4250542"' in page.html


def test_the_guide_offers_the_towns_of_an_ambiguous_name(browser):
    page = guide_page(browser, {**FULL, "country": "US", "town": "Springfield"})
    assert page.has_error_summary()
    assert "4250542" in re.findall(r'name="town" value="#(\d+)"', page.html)


def test_the_guide_names_the_country_in_a_town_error(browser):
    page = guide_page(browser, {**FULL, "country": "PT", "town": "Zzyzxville"})
    assert "We could not find Zzyzxville in Portugal." in page.text()
