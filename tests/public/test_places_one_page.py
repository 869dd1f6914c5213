"""The region and town on the one-page form: the same checks and did-you-mean choice as step by step."""

from __future__ import annotations

import re

from tests.support.answers import FULL


def send(browser, answers: dict):
    form = browser.get("/all-questions")
    data: dict = {"csrf_token": form.csrf_token()}
    for qid, value in answers.items():
        data[qid] = value
    return browser.post("/all-questions", data=data)


def test_the_town_field_is_on_the_form_and_the_region_comes_with_a_country(browser):
    page = browser.get("/all-questions")
    assert 'id="town-input" name="town"' in page.html
    assert 'id="subdivision-input"' not in page.html  # no country yet, so no regions to list
    page = send(browser, {**FULL, "country": "PT", "town": "Zzyzxville"})
    assert '<select class="select" id="subdivision-input" name="subdivision"' in page.html
    assert ">Porto</option>" in page.html


def test_one_town_gives_results_showing_its_name(browser):
    page = send(browser, {**FULL, "country": "US", "subdivision": "US-IL", "town": "Springfield"})
    assert "results" in page.url or page.h1 != "All questions on one page"
    assert "Springfield, Illinois" in page.text()
    assert "4250542" not in page.text()


def test_an_ambiguous_town_gives_a_did_you_mean_choice(browser):
    page = send(browser, {**FULL, "country": "US", "town": "Springfield"})
    assert page.has_error_summary()
    radios = re.findall(r'type="radio" id="town-choice-\d+" name="town" value="#(\d+)"', page.html)
    assert "4250542" in radios
    assert 'name="town" value="Springfield"' in page.html  # the name goes again with the choice
    page = send(browser, {**FULL, "country": "US", "town": ["Springfield", "#4250542"]})
    assert not page.has_error_summary()
    assert "Springfield, Illinois" in page.text()


def test_an_unknown_town_or_a_forged_region_is_a_clear_error(browser):
    page = send(browser, {**FULL, "country": "PT", "town": "Zzyzxville", "subdivision": "ES-AN"})
    assert page.has_error_summary()
    text = page.text()
    assert "We could not find Zzyzxville in Portugal." in text
    assert 'href="#town-input"' in page.html and 'href="#subdivision-input"' in page.html


def test_a_blank_town_and_region_are_fine(browser):
    page = send(browser, {**FULL, "country": "PT", "town": "", "subdivision": ""})
    assert not page.has_error_summary()
