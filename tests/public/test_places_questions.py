"""The region and town questions, step by step, with and without the town suggestions script."""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk

PT_START = {"who": "myself", "country": "PT", "danger": "not_now"}
US_START = {"who": "myself", "country": "US", "danger": "not_now"}


def answer_up_to(browser, answers: dict, stop_at: str):
    page = browser.get("/questions")
    while not browser.history[-1].startswith(f"/questions/{stop_at}"):
        qid = browser.history[-1].split("?")[0].rsplit("/", 1)[1]
        assert qid in answers, f"asked {qid} before {stop_at}"
        page = browser.answer(page, answers[qid])
    return page


def stored(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("answers", {}))


def test_the_region_question_is_a_select_of_the_countrys_regions(browser):
    page = answer_up_to(browser, PT_START, "subdivision")
    assert '<select class="select" id="subdivision-input" name="subdivision"' in page.html
    assert '<option value="PT-13">Porto</option>' in page.html
    assert '<option value="prefer_not_to_say">' in page.html
    assert "ES-AN" not in page.html  # only Portugal's


def test_regions_are_in_the_persons_language(browser):
    browser.get("/?lang=es")
    page = answer_up_to(browser, {**US_START}, "subdivision")
    # Spanish names, sorted by them: Nueva York among the N.
    assert ">Hawái</option>" in page.html and ">Nueva York</option>" in page.html
    assert page.html.index(">Nevada<") < page.html.index(">Nueva York<") < page.html.index(">Ohio<")


def test_a_forged_region_gets_the_normal_message(browser):
    page = answer_up_to(browser, PT_START, "subdivision")
    for forged in ("ES-AN", "PT-99", "<script>", "PT-13\x00"):
        page = browser.answer(page, forged)
        assert page.status == 200 and page.has_error_summary(), forged
        assert browser.history[-1].startswith("/questions/subdivision")
        assert 'href="#subdivision-input"' in page.html
    assert "subdivision" not in stored(browser.client)


def test_a_region_is_stored_by_its_code_and_shown_by_name(browser, client):
    page = answer_up_to(browser, PT_START, "subdivision")
    page = browser.answer(page, "PT-13")
    assert browser.history[-1].startswith("/questions/town")
    assert stored(client)["subdivision"] == "PT-13"


def test_no_region_or_town_question_without_a_country(browser):
    _page, seen = walk(browser, {**FULL, "country": "prefer_not_to_say"})
    assert "subdivision" not in seen and "town" not in seen


def test_danger_comes_before_region_and_town(browser):
    _page, seen = walk(browser, {**FULL, "country": "PT", "danger": "danger_now"})
    assert seen == ["who", "country", "danger"]
    assert browser.history[-1].startswith("/help-now")


def test_one_town_of_that_name_is_stored_by_its_geonames_id(browser, client):
    page = answer_up_to(browser, {**PT_START, "subdivision": ""}, "town")
    assert 'id="town-input" name="town"' in page.html
    page = browser.answer(page, "  évora ")
    assert browser.history[-1].startswith("/questions/substances")
    assert stored(client)["town"] == "2268406"


def test_several_towns_give_a_did_you_mean_step_with_radios(browser, client):
    page = answer_up_to(browser, {**US_START, "subdivision": ""}, "town")
    page = browser.answer(page, "Springfield")
    assert browser.history[-1].startswith("/questions/town")
    assert page.has_error_summary()
    radios = re.findall(r'type="radio" id="town-choice-\d+" name="town" value="#(\d+)"', page.html)
    assert len(radios) >= 5
    assert "Springfield, Illinois" in page.text() and "Springfield, Missouri" in page.text()
    assert 'value="#none"' in page.text() or 'value="#none"' in page.html
    # Choosing one stores it.
    chicago_state = next(v for v in radios if v == "4250542")  # Springfield, Illinois
    page = browser.answer(page, "#" + chicago_state)
    assert browser.history[-1].startswith("/questions/substances")
    assert stored(client)["town"] == "4250542"


def test_a_region_narrows_the_towns(browser, client):
    page = answer_up_to(browser, {**US_START, "subdivision": "US-IL"}, "town")
    page = browser.answer(page, "springfield")
    assert browser.history[-1].startswith("/questions/substances")
    assert stored(client)["town"] == "4250542"


def test_none_of_these_asks_for_the_name_again(browser, client):
    page = answer_up_to(browser, {**US_START, "subdivision": ""}, "town")
    page = browser.answer(page, "Springfield")
    page = browser.answer(page, "#none")
    assert browser.history[-1].startswith("/questions/town")
    assert "Type the name of the town or city again" in page.text()
    assert 'id="town-input" name="town"' in page.html
    assert "town" not in stored(client)


def test_an_unknown_town_says_so_and_where(browser, client):
    page = answer_up_to(browser, {**PT_START, "subdivision": ""}, "town")
    page = browser.answer(page, "Zzyzxville")
    assert browser.history[-1].startswith("/questions/town")
    assert "We could not find Zzyzxville in Portugal. Check the spelling, or leave it blank to skip this question." in (
        page.text()
    )
    assert 'value="Zzyzxville"' in page.html  # kept in the field to correct
    assert "town" not in stored(client)


def test_a_blank_town_skips_the_question(browser, client):
    page = answer_up_to(browser, {**PT_START, "subdivision": ""}, "town")
    browser.answer(page, "")
    assert browser.history[-1].startswith("/questions/substances")
    assert stored(client)["town"] == ""


def test_prefer_not_to_say_is_a_button(browser, client):
    page = answer_up_to(browser, {**PT_START, "subdivision": ""}, "town")
    assert 'name="town" value="#prefer_not_to_say"' in page.html
    browser.answer(page, ["", "#prefer_not_to_say"])
    assert stored(client)["town"] == "prefer_not_to_say"


def test_a_forged_town_id_is_refused(browser, client):
    page = answer_up_to(browser, {**PT_START, "subdivision": ""}, "town")
    for forged in ("#4250542", "#1", "#abc"):  # a town in another country, and none at all
        page = browser.answer(page, forged)
        assert page.status == 200 and page.has_error_summary(), forged
    assert "town" not in stored(client)


def test_check_answers_shows_region_and_town_by_name(browser):
    answers = {**FULL, "country": "US", "subdivision": "US-IL", "town": "springfield"}
    page, _seen = walk(browser, answers)
    assert browser.history[-1] == "/check-answers"
    text = page.text()
    assert "Illinois" in text and "Springfield, Illinois" in text
    assert "US-IL" not in text and "4250542" not in text


# --- the suggestions endpoint --------------------------------------------------------------------


def suggest(client, page, text: str, **kwargs):
    body = {"text": text, "csrf_token": kwargs.pop("token", page.csrf_token())}
    return client.post("/questions/town/suggestions", json=body, **kwargs)


def test_suggestions_come_back_as_json(browser, client):
    page = answer_up_to(browser, {**US_START, "subdivision": ""}, "town")
    assert 'data-town-suggest="/questions/town/suggestions"' in page.html
    response = suggest(client, page, "springf")
    assert response.status_code == 200 and response.mimetype == "application/json"
    suggestions = response.get_json()["suggestions"]
    assert {"id": "4250542", "name": "Springfield", "label": "Springfield, Illinois"} in suggestions
    assert len(suggestions) <= 8


def test_suggestions_follow_the_region(browser, client):
    page = answer_up_to(browser, {**US_START, "subdivision": "US-IL"}, "town")
    ids = [s["id"] for s in suggest(client, page, "Springfield").get_json()["suggestions"]]
    assert ids == ["4250542"]


def test_suggestions_need_the_token_and_a_post(browser, client):
    page = answer_up_to(browser, {**US_START, "subdivision": ""}, "town")
    assert suggest(client, page, "Springfield", token="forged").status_code == 400
    assert client.post("/questions/town/suggestions", data={"text": "Springfield"}).status_code == 400
    assert client.get("/questions/town/suggestions?text=Springfield").status_code == 405
    other = suggest(client, page, "Springfield", headers={"Origin": "https://elsewhere.example"})
    assert other.status_code == 403


def test_no_suggestions_before_the_town_question(browser, client):
    page = browser.get("/questions")
    response = suggest(client, page, "Springfield")
    assert response.status_code == 200 and response.get_json() == {"suggestions": []}


def test_suggestions_are_rate_limited(browser, client):
    page = answer_up_to(browser, {**US_START, "subdivision": ""}, "town")
    statuses = [suggest(client, page, "Spr").status_code for _ in range(62)]
    assert statuses[:60] == [200] * 60
    assert statuses[-1] == 429


@pytest.mark.parametrize("body", [None, [], {"text": 5}, {"csrf_token": "x"}])
def test_malformed_suggestion_requests_are_refused_not_a_crash(browser, client, body):
    browser.get("/questions")
    response = client.post("/questions/town/suggestions", json=body)
    assert response.status_code == 400
