"""The region and town answers in the JSON API: codes and ids checked against the country."""

from __future__ import annotations

import json

from tests.support.answers import FULL

PROBLEM = "application/problem+json"


def post(client, answers: dict):
    return client.post("/api/v1/match", data=json.dumps({"answers": answers}), content_type="application/json")


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return {e["field"]: e["message"] for e in response.get_json(force=True)["errors"]}


def test_a_region_and_a_town_id_are_accepted(client):
    response = post(client, {**FULL, "country": "US", "subdivision": "US-IL", "town": "4250542"})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_town_name_that_fits_one_town_is_accepted(client):
    assert post(client, {**FULL, "country": "PT", "subdivision": "", "town": "Évora"}).status_code == 200
    assert post(client, {**FULL, "country": "US", "subdivision": "US-IL", "town": "springfield"}).status_code == 200


def test_a_region_of_another_country_is_refused(client):
    errors = errors_of(post(client, {**FULL, "country": "US", "subdivision": "PT-13"}))
    assert set(errors) == {"answers.subdivision"}


def test_a_town_of_another_country_or_no_town_is_refused(client):
    for town in ("2735943", "1", "Zzyzxville"):
        errors = errors_of(post(client, {**FULL, "country": "US", "town": town}))
        assert set(errors) == {"answers.town"}, town
    assert "United States" in errors["answers.town"]


def test_a_name_that_fits_several_towns_lists_their_ids(client):
    errors = errors_of(post(client, {**FULL, "country": "US", "town": "Springfield"}))
    assert "4250542 (Springfield, Illinois)" in errors["answers.town"]


def test_region_and_town_without_a_country_are_not_asked(client):
    errors = errors_of(post(client, {**FULL, "country": "prefer_not_to_say", "subdivision": "PT-13", "town": "1"}))
    assert set(errors) == {"answers.subdivision", "answers.town"}
    assert "not asked" in errors["answers.town"]


def test_wrong_shapes_are_refused_not_a_crash(client):
    for value in (5, ["US-IL"], None, "x" * 101):
        errors = errors_of(post(client, {**FULL, "country": "US", "subdivision": value, "town": value}))
        assert set(errors) == {"answers.subdivision", "answers.town"}, value


def test_the_questions_list_says_what_region_and_town_take(client):
    questions = {q["id"]: q for q in client.get("/api/v1/questions").get_json()["questions"]}
    assert questions["subdivision"]["kind"] == "subdivision" and not questions["subdivision"]["required"]
    assert [o["code"] for o in questions["town"]["options"]] == ["prefer_not_to_say"]
    document = client.get("/api/v1/openapi.json").get_json()
    answers = document["components"]["schemas"]["Answers"]["properties"]
    assert "ISO 3166-2" in answers["subdivision"]["description"]
    assert "GeoNames" in answers["town"]["description"]
