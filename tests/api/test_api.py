"""The public JSON API (/api/v1) through the Flask test client."""

from __future__ import annotations

import html
import json
import logging
import random
import re
import time

import pytest
from babel.support import Translations

from tests.support.answers import FULL
from tests.support.api import Contract
from wizard import create_app
from wizard.domain.journey import place_question_asked
from wizard.domain.rulebook.conditions import parse_condition
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY
from wizard.platform.i18n import LANGUAGES, TRANSLATIONS
from wizard.public import answers as state

PARTNER = "https://partner.example.org"
BASE = "/api/v1"
PROBLEM = "application/problem+json"

ANSWER_SETS = [
    FULL,
    {},
    {"country": "US", "faith": "faith_based"},
    {"who": "someone_else", "country": "AU", "danger": "not_now", "readiness": "not_sure", "needs": ["legal"]},
    {"who": "myself", "country": PREFER_NOT_TO_SAY, "substances": ["prefer_not_to_say"], "setting": "inpatient"},
    {"who": "myself", "country": "KE", "danger": "danger_now"},
    {
        "who": "myself",
        "country": "CA",
        "danger": "not_now",
        "substances": ["stimulants"],
        "injecting": "",
        "readiness": "stop",
        "faith": "no_preference",
        "setting": "not_sure",
        "medication": "want_to_know_more",
        "previous_treatment": "did_not_help",
        "support": [],
        "needs": ["prefer_not_to_say"],
    },
]


def translate(lang: str, msgid: str) -> str:
    return Translations.load(str(TRANSLATIONS), [lang]).gettext(msgid)


def post(client, body, **kwargs):
    return client.post("/api/v1/match", data=json.dumps(body), content_type="application/json", **kwargs)


def field_errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == 422 and body["title"] and body["detail"]
    assert body["type"].endswith("/api/v1/docs#invalid-request")
    return {e["field"]: e["message"] for e in body["errors"]}


def problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with this status, never an HTML page."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert "<html" not in response.get_data(as_text=True).lower()
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


# --- the contract: real responses against the OpenAPI document -----------------------------------


@pytest.fixture
def contract(client):
    return Contract(client.get("/api/v1/openapi.json").get_json())


def test_every_response_matches_the_openapi_document(client, contract):
    for lang in LANGUAGES:
        for path in ("/api/v1/questions", "/api/v1/approaches", "/api/v1/organisations"):
            contract.check(path, "get", client.get(f"{path}?lang={lang}"))
        for answers in ANSWER_SETS:
            contract.check("/api/v1/match", "post", post(client, {"answers": answers, "lang": lang}))
    contract.check("/api/v1/questions", "get", client.get("/api/v1/questions?lang=xx"))
    contract.check("/api/v1/match", "post", post(client, {"answers": {"faith": "maybe"}, "colour": "red"}))
    contract.check("/api/v1/match", "post", client.post("/api/v1/match", data="{", content_type="application/json"))
    contract.check("/api/v1/match", "post", client.post("/api/v1/match", data={"who": "myself"}))
    contract.check("/api/v1/match", "post", post(client, {"answers": {"who": "x" * 100_000}}))
    contract.check("/api/v1/match", "options", client.options("/api/v1/match", headers={"Origin": PARTNER}))
    for path in ("/api/v1/openapi.json", "/api/v1/", "/api/v1/docs"):
        contract.check(path, "get", client.get(path))
    # The directory's addresses are checked in test_directory_api.py.
    documented = {
        (BASE + path, method)
        for path, item in contract.document["paths"].items()
        for method, operation in item.items()
        if "directory" not in operation["tags"]
    }
    assert contract.checked == documented


def test_the_contract_check_catches_a_broken_response(client, contract):
    schema = contract.document["paths"]["/match"]["post"]["responses"]["200"]["content"]["application/json"]
    validator = contract.validator(schema["schema"])
    good = post(client, {"answers": FULL}).get_json()
    assert validator.is_valid(good)
    for broken in (
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "contacts"},
        {**good, "approaches": [{**good["approaches"][0], "score": "high"}]},
        {**good, "approaches": [{k: v for k, v in good["approaches"][0].items() if k != "evidence"}]},
    ):
        assert not validator.is_valid(broken)


def test_the_request_schema_lists_every_question_and_option(app, contract):
    journey = app.extensions["services"].journey
    answers = contract.document["components"]["schemas"]["Answers"]
    assert answers["additionalProperties"] is False
    assert list(answers["properties"]) == [q.id for q in journey.questions]
    request_schema = contract.validator({"$ref": "#/components/schemas/MatchRequest"})
    for answer_set in ANSWER_SETS:
        assert request_schema.is_valid({"answers": answer_set, "lang": "es"})
    assert not request_schema.is_valid({"answers": {"faith": "maybe"}})
    assert not request_schema.is_valid({"answers": {}, "extra": True})


# --- questions ---------------------------------------------------------------------------------------


def test_questions_are_listed_in_order_with_their_options_and_conditions(app, client):
    response = client.get("/api/v1/questions")
    assert response.status_code == 200 and response.mimetype == "application/json"
    questions = response.get_json()["questions"]
    rulebook = app.extensions["services"].rulebook
    assert [q["id"] for q in questions] == [q.id for q in rulebook.questions]
    by_id = {q["id"]: q for q in questions}

    danger = by_id["danger"]
    assert danger["kind"] == "single" and danger["required"] is True
    assert danger["text"]["myself"].startswith("Are you in danger right now")
    assert danger["text"]["someone_else"].startswith("Are they in danger right now")
    assert [o["code"] for o in danger["options"]] == ["danger_now", "not_now"]
    assert danger["options"][0]["crisis"] is True and danger["options"][1]["crisis"] is False
    assert danger["ask_if"] is None

    needs = by_id["needs"]
    assert needs["kind"] == "multiple" and needs["required"] is False
    assert needs["options"][-1] == {
        "code": "prefer_not_to_say",
        "label": {"myself": "Prefer not to say", "someone_else": "Prefer not to say"},
        "hint": None,
        "exclusive": True,
        "crisis": False,
        "audience": None,
    }
    readiness = {o["code"]: o for o in by_id["readiness"]["options"]}
    assert readiness["not_sure"]["label"] == {
        "myself": "I am not sure yet",
        "someone_else": "They are not sure, or do not want help yet",
    }
    assert by_id["injecting"]["ask_if"] == {"answer": "substances", "any_in": ["opioids", "other", "stimulants"]}
    # Every condition comes back in the rules' own language, and means the same.
    for question in rulebook.questions:
        if question.ask_if is not None:
            assert parse_condition(by_id[question.id]["ask_if"]) == question.ask_if


def test_country_options_are_every_country_in_the_languages_order(app, client):
    for lang in ("en", "es"):
        options = next(
            q for q in client.get(f"/api/v1/questions?lang={lang}").get_json()["questions"] if q["kind"] == "country"
        )["options"]
        with app.test_request_context(f"/?lang={lang}"):
            from wizard.platform.i18n import country_choices

            expected = [code for code, _name in country_choices()]
        assert [o["code"] for o in options] == [*expected, PREFER_NOT_TO_SAY]
        assert set(expected) == set(app.extensions["services"].matcher.countries)
        names = {o["code"]: o["label"]["myself"] for o in options}
        assert names["DE"] == {"en": "Germany", "es": "Alemania"}[lang]
        assert names[PREFER_NOT_TO_SAY] == translate(lang, "Prefer not to say")


def test_questions_are_translated_with_lang(client):
    response = client.get("/api/v1/questions?lang=es")
    assert response.headers["Content-Language"] == "es"
    who = response.get_json()["questions"][0]
    assert who["text"]["myself"] == translate("es", "Who are you looking for help for?")
    assert who["text"]["myself"] != "Who are you looking for help for?"
    assert who["options"][0]["label"]["myself"] == translate("es", "Myself")


def test_language_comes_from_the_query_then_the_browser_never_the_cookie(client):
    with client.session_transaction() as session:
        session["lang"] = "fr"  # remembered by the web journey: the API reads no cookies
    assert client.get("/api/v1/questions").headers["Content-Language"] == "en"
    assert client.get("/api/v1/questions", headers={"Accept-Language": "pt-PT"}).headers["Content-Language"] == "pt-PT"
    assert client.get("/api/v1/questions", headers={"Accept-Language": "th-TH"}).headers["Content-Language"] == "th"
    response = client.get("/api/v1/questions?lang=ar", headers={"Accept-Language": "pt"})
    assert response.headers["Content-Language"] == "ar"


# --- approaches and organisations ------------------------------------------------------------------


def test_approaches_are_listed_with_their_facts_and_sources(app, client):
    approaches = client.get("/api/v1/approaches").get_json()["approaches"]
    rulebook = app.extensions["services"].rulebook
    assert [a["id"] for a in approaches] == [a.id for a in rulebook.approaches]
    mat = next(a for a in approaches if a["id"] == "medication-assisted-treatment")
    assert mat["name"] == "Medicine for cravings and withdrawal (medication-assisted treatment, MAT)"
    assert mat["evidence"]["level"] == "strong" and mat["evidence"]["text"]
    assert (mat["faith"], mat["setting"], mat["medication"], mat["kind"]) == ("secular", "either", "central", "service")
    citation = mat["citations"][0]
    titles = {d.id: d.title for d in rulebook.documents}
    assert citation["title"] == titles[citation["document"]] and citation["quote"]

    spanish = {a["id"]: a for a in client.get("/api/v1/approaches?lang=es").get_json()["approaches"]}
    assert spanish["medication-assisted-treatment"]["name"] == translate(
        "es", "Medicine for cravings and withdrawal (medication-assisted treatment, MAT)"
    )
    assert spanish["medication-assisted-treatment"]["name"] != mat["name"]
    # Quotes from the documents stay as the documents wrote them.
    assert spanish["medication-assisted-treatment"]["citations"] == mat["citations"]


def test_organisations_are_hsds_shaped(app, client):
    organisations = client.get("/api/v1/organisations").get_json()["organisations"]
    rulebook = app.extensions["services"].rulebook
    assert [o["id"] for o in organisations] == [o.id for o in rulebook.organisations]
    for org in organisations:
        assert org["email"] is None and org["phones"] == [] and org["languages"] == []
        assert org["role"] in ("direct_help", "information")
        assert org["url"] is None or org["url"].startswith("https://")
    by_id = {o.id: o for o in rulebook.organisations}
    limited = next(o for o in organisations if by_id[o["id"]].service_area)
    area = by_id[limited["id"]].service_area
    assert [a.get("country") or a.get("region") for a in limited["service_area"]] == [*area.countries, *area.regions]
    assert all(a["name"] for a in limited["service_area"])


# --- matching ---------------------------------------------------------------------------------------------


def _expected(matcher, answers: dict) -> dict:
    result = matcher.match(answers)
    return {
        "audience": result.audience,
        "crisis": result.crisis,
        "country": result.country.code if result.country else None,
        "approaches": [(a.approach.id, a.score) for a in result.approaches],
        "information": [(a.approach.id, a.score) for a in result.information],
        "direct_help": [o.organisation.id for o in result.direct_help],
        "bodies": [o.organisation.id for o in result.information_bodies],
        "emergency": result.contacts.primary.number if result.contacts else None,
        "not_effective": [n.item.id for n in result.not_effective],
    }


def _got(body: dict) -> dict:
    return {
        "audience": body["audience"],
        "crisis": body["crisis"],
        "country": body["country"]["code"] if body["country"] else None,
        "approaches": [(a["id"], a["score"]) for a in body["approaches"]],
        "information": [(a["id"], a["score"]) for a in body["information"]],
        "direct_help": [o["id"] for o in body["organisations"]["direct_help"]],
        "bodies": [o["id"] for o in body["organisations"]["information"]],
        "emergency": body["contacts"]["emergency"]["number"] if body["contacts"] else None,
        "not_effective": [n["id"] for n in body["not_effective"]],
    }


@pytest.mark.parametrize("answers", ANSWER_SETS)
def test_match_ranks_exactly_as_the_matcher(app, client, answers):
    response = post(client, {"answers": answers})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert _got(response.get_json()) == _expected(app.extensions["services"].matcher, answers)


def _random_answers(journey, rng: random.Random) -> dict:
    """Answers a person could give on the web: only questions on the path, some left out."""
    answers: dict = {}
    for question in journey.questions:
        if question.ask_if is not None and not question.ask_if.test(journey.matcher.facts(answers)):
            continue
        if question.kind in ("subdivision", "town"):
            if place_question_asked(question, answers) and rng.random() < 0.5:
                answers[question.id] = "prefer_not_to_say"
            continue
        if rng.random() < 0.2:
            continue
        # The options offered to this reader ("I do not know" only when the help is for someone else).
        audience = "someone_else" if answers.get("who") == "someone_else" else "myself"
        codes = sorted(journey.valid_codes(question, audience))
        if question.kind == "multiple":
            exclusive = [o.code for o in question.options_for(audience) if o.exclusive]
            plain = [o.code for o in question.options_for(audience) if not o.exclusive]
            answers[question.id] = (
                [rng.choice(exclusive)] if exclusive and rng.random() < 0.2 else rng.sample(plain, rng.randint(0, 3))
            )
        else:
            answers[question.id] = rng.choice(codes)
    return answers


def test_many_answer_sets_match_as_the_matcher(app, client):
    journey, matcher = app.extensions["services"].journey, app.extensions["services"].matcher
    rng = random.Random(20261121)  # noqa: S311 - a fixed sample, not a secret
    for _ in range(60):
        answers = _random_answers(journey, rng)
        response = post(client, {"answers": answers})
        assert response.status_code == 200, (answers, response.get_data(as_text=True))
        assert _got(response.get_json()) == _expected(matcher, answers), answers


def test_match_text_is_translated_and_quotes_stay_english(app, client):
    english = post(client, {"answers": FULL}).get_json()
    spanish = post(client, {"answers": FULL, "lang": "es"})
    assert spanish.headers["Content-Language"] == "es"
    spanish = spanish.get_json()
    assert _got(spanish) == _got(english)
    first_en, first_es = english["approaches"][0], spanish["approaches"][0]
    assert first_es["name"] == translate("es", first_en["name"]) != first_en["name"]
    assert first_es["reasons"][0] == translate("es", first_en["reasons"][0]) != first_en["reasons"][0]
    assert first_es["citations"] == first_en["citations"]
    assert spanish["country"] == {"code": "GB", "name": "Reino Unido"}
    assert english["country"] == {"code": "GB", "name": "United Kingdom"}
    # The query parameter works too, and the body wins over it.
    assert post(client, {"answers": FULL}, query_string={"lang": "fr"}).headers["Content-Language"] == "fr"
    assert (
        post(client, {"answers": FULL, "lang": "sw"}, query_string={"lang": "fr"}).headers["Content-Language"] == "sw"
    )
    # "pt", the earlier name for Portuguese, still works: Portugal's for answers from Portugal.
    for country, variant in (("GB", "pt-BR"), ("PT", "pt-PT")):
        response = post(client, {"answers": {**FULL, "country": country}, "lang": "pt"})
        assert response.headers["Content-Language"] == variant


def test_match_explains_approaches_organisations_and_contacts(client):
    body = post(client, {"answers": FULL}).get_json()
    assert body["audience"] == "myself" and body["crisis"] is False
    mat = next(a for a in body["approaches"] if a["id"] == "medication-assisted-treatment")
    assert mat["score"] > 0 and mat["reasons"] and mat["evidence"]["level"] == "strong"
    assert body["organisations"]["direct_help"], "no organisation matched"
    org = body["organisations"]["direct_help"][0]
    assert set(org) == {"id", "name", "alternate_name", "description", "url", "role", "kind", "service_area", "reasons"}
    assert org["role"] == "direct_help" and org["reasons"]
    assert all(o["role"] == "information" for o in body["organisations"]["information"])
    assert body["contacts"]["emergency"]["number"] == "999"
    assert body["contacts"]["emergency"]["source"].startswith("https://")
    assert {n["id"] for n in body["not_effective"]} >= {"criminalisation-and-punishment"}
    note = next(n for n in body["not_effective"] if n["id"] == "criminalisation-and-punishment")
    assert note["note"].startswith("You said that worry about the police") and note["instead"] and note["citations"]


def test_helplines_come_with_their_source(client):
    body = post(client, {"answers": {"who": "someone_else", "country": "AU"}}).get_json()
    assert body["audience"] == "someone_else"
    lines = body["contacts"]["helplines"]
    fields = {"name", "kind", "phone", "text", "url", "hours", "cost", "for_whom", "languages", "description"}
    assert lines and fields | {"source", "checked"} == set(lines[0])
    assert lines[0]["checked"][:2] == "20" and lines[0]["source"].startswith("https://")
    # Crisis lines first: Lifeline before the drug information line, whatever the file order.
    assert [line["kind"] for line in lines] == ["crisis", "information"]


def test_crisis_answer_is_flagged(client):
    body = post(client, {"answers": {"danger": "danger_now", "country": "KE"}}).get_json()
    assert body["crisis"] is True
    assert body["contacts"]["emergency"]["number"]


def test_partial_and_empty_answers_are_fine(client):
    assert post(client, {"answers": {}}).status_code == 200
    # Required questions may be left out, or sent empty (the same as leaving them out).
    body = post(client, {"answers": {"country": "", "faith": "", "support": []}}).get_json()
    assert body["country"] is None
    # The order of a multiple-choice answer does not matter.
    one = post(client, {"answers": {"substances": ["opioids", "alcohol"]}}).get_json()
    two = post(client, {"answers": {"substances": ["alcohol", "opioids"]}}).get_json()
    assert one == two


# --- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"answers": {}, "colour": "blue"}, "colour", "unknown field"),
        ({"answers": {"favourite_food": "soup"}}, "answers.favourite_food", "unknown question"),
        ({"answers": {"faith": ["secular"]}}, "answers.faith", "must be one option code"),
        ({"answers": {"faith": 1}}, "answers.faith", "must be one option code"),
        ({"answers": {"faith": None}}, "answers.faith", "must be one option code"),
        ({"answers": {"needs": "cost"}}, "answers.needs", "must be a list"),
        ({"answers": {"needs": ["cost", 3]}}, "answers.needs", "must be a list"),
        ({"answers": {"faith": "buddhist"}}, "answers.faith", "not an option: “buddhist”"),
        ({"answers": {"country": "XX"}}, "answers.country", "not an option"),
        ({"answers": {"country": "gb"}}, "answers.country", "not an option"),
        ({"answers": {"needs": ["cost", "teleport"]}}, "answers.needs", "not an option: “teleport”"),
        ({"answers": {"needs": ["cost", "legal", "cost"]}}, "answers.needs", "lists “cost” more than once"),
        (
            {"answers": {"needs": ["cost", "prefer_not_to_say"]}},
            "answers.needs",
            "“Prefer not to say” cannot be chosen together with other answers",
        ),
        (
            {"answers": {"support": ["online", "none_of_these"]}},
            "answers.support",
            "“None of these” cannot be chosen together with other answers",
        ),
        (
            {"answers": {"who": "myself", "substances": ["dont_know"]}},
            "answers.substances",
            "“I do not know” can only be chosen when the help is for someone else",
        ),
        (
            {"answers": {"previous_treatment": "dont_know"}},
            "answers.previous_treatment",
            "“I do not know” can only be chosen when the help is for someone else",
        ),
        (
            {"answers": {"substances": ["alcohol"], "injecting": "injects"}},
            "answers.injecting",
            "not asked with these answers: it is asked only when substances includes any of",
        ),
        ({"answers": {"injecting": "injects"}}, "answers.injecting", "not asked with these answers"),
        ({"answers": {}, "lang": "de"}, "lang", "must be one of: en, es, pt-BR, pt-PT, fr, ar, sw, th"),
        ({"answers": {}, "lang": ["es"]}, "lang", "must be one of"),
        ({"answers": ["who", "myself"]}, "answers", "must be an object"),
        ({"answers": "myself"}, "answers", "must be an object"),
        ({"lang": "en"}, "answers", "is required"),
        (["answers"], "body", "must be a JSON object"),
        ("answers", "body", "must be a JSON object"),
        (None, "body", "must be a JSON object"),
    ],
)
def test_each_validation_problem_names_the_field(client, body, field, words):
    errors = field_errors(post(client, body))
    assert field in errors, errors
    assert words in errors[field]


def test_every_problem_is_reported_at_once(client):
    response = post(
        client,
        {"answers": {"who": "them", "faith": 2, "mystery": "x", "needs": ["cost", "prefer_not_to_say"]}, "extra": 1},
    )
    assert set(field_errors(response)) == {"extra", "answers.who", "answers.faith", "answers.mystery", "answers.needs"}


def test_an_answer_after_a_broken_one_is_not_blamed_for_it(client):
    errors = field_errors(post(client, {"answers": {"substances": ["opioids", "crisps"], "injecting": "injects"}}))
    assert set(errors) == {"answers.substances"}


def test_validation_messages_follow_the_language(client):
    errors = field_errors(post(client, {"answers": {"needs": ["cost", "prefer_not_to_say"]}, "lang": "es"}))
    label = translate("es", "Prefer not to say")
    expected = translate("es", "“%(label)s” cannot be chosen together with other answers") % {"label": label}
    assert errors["answers.needs"] == expected


def test_an_unknown_lang_in_the_query_is_refused(client):
    for url in ("/api/v1/questions?lang=de", "/api/v1/approaches?lang=", "/api/v1/organisations?lang=EN"):
        assert "lang" in field_errors(client.get(url))
    assert "lang" in field_errors(post(client, {"answers": {}}, query_string={"lang": "xx"}))


def test_body_that_is_not_json_is_a_400(client):
    for data in ("{", "{'answers': {}}", "[1, 2", "NaN", '{"answers": {}} trailing', b"\xff\xfe\xfa", ""):
        body = problem(client.post("/api/v1/match", data=data, content_type="application/json"), 400)
        assert "not valid JSON" in body["detail"]
    deep = "[" * 20_000 + "]" * 20_000
    problem(client.post("/api/v1/match", data=deep[:30_000], content_type="application/json"), 400)


def test_body_that_is_not_sent_as_json_is_a_415(client):
    problem(client.post("/api/v1/match", data={"answers": "x"}), 415)
    problem(client.post("/api/v1/match", data='{"answers": {}}', content_type="text/plain"), 415)
    problem(client.post("/api/v1/match"), 415)
    assert post(client, {"answers": {}}, headers={"Content-Type": "application/json; charset=utf-8"}).status_code == 200


def test_a_huge_body_is_a_413(client):
    body = problem(post(client, {"answers": {"who": "x" * 100_000}}), 413)
    assert "32 KB" in body["detail"]
    problem(client.post("/api/v1/match", data="x" * 100_000, content_type="application/json"), 413)


def test_unknown_addresses_and_methods_are_problems_not_pages(client):
    for url in ("/api/v1/nothing-here", "/api/v2/questions", "/api/", "/api/v1/questions/who"):
        problem(client.get(url), 404)
        problem(client.get(url + "?lang=es"), 404)
    response = client.get("/api/v1/match")
    problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"OPTIONS", "POST"}
    for method in ("put", "delete", "patch"):
        problem(getattr(client, method)("/api/v1/questions"), 405)
    problem(client.post("/api/v1/questions", json={}), 405)
    # The rest of the site still shows its friendly HTML pages.
    assert client.get("/no-such-page").mimetype == "text/html"


def test_an_unexpected_failure_is_a_problem_and_logs_no_answers(app, client, caplog, monkeypatch):
    def broken(answers):
        raise RuntimeError(f"answers were {answers}")

    monkeypatch.setattr(app.extensions["services"].matcher, "match", broken)
    caplog.set_level(logging.DEBUG)
    problem(post(client, {"answers": {"faith": "secular"}}), 500)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "RuntimeError" in logged
    assert "secular" not in logged


def test_answers_are_never_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    post(client, {"answers": FULL, "lang": "es"})
    post(client, {"answers": {"faith": "zz-private-answer", "needs": ["cost", "prefer_not_to_say"]}})
    post(client, {"answers": {"who": "x" * 100_000}})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for code in ("zz-private-answer", "prefer_not_to_say", "secular", "opioids", "legal"):
        assert code not in logged


# --- no cookies, CORS, rate limits ----------------------------------------------------------------------------


def _every_kind_of_request(client):
    yield client.get("/api/v1/questions?lang=es")
    yield client.get("/api/v1/approaches?lang=fr")
    yield client.get("/api/v1/organisations?lang=ar")
    yield client.get("/api/v1/openapi.json?lang=es")
    yield client.get("/api/v1/docs?lang=es")
    yield client.get("/api/v1/?lang=pt")
    yield post(client, {"answers": FULL, "lang": "es"}, query_string={"lang": "es"})
    yield post(client, {"answers": {"faith": "?"}}, query_string={"lang": "es"})
    yield client.post("/api/v1/match?lang=es", data="{", content_type="application/json")
    yield client.get("/api/v1/nothing?lang=es")
    yield client.get("/api/v1/match?lang=es")
    yield client.options("/api/v1/match?lang=es", headers={"Origin": PARTNER, "Access-Control-Request-Method": "POST"})


def test_the_api_never_sets_a_cookie(client, monkeypatch):
    for response in _every_kind_of_request(client):
        assert "Set-Cookie" not in response.headers, response.request.url
    # Not even for someone who is part-way through the web journey, whose cookie the site renews.
    client.get("/?lang=es")
    with client.session_transaction() as session:
        session["answers"] = {"who": "myself"}
    for response in _every_kind_of_request(client):
        assert "Set-Cookie" not in response.headers, response.request.url
    # The web journey still renews its cookie (once its signature is a minute old).
    monkeypatch.setattr(state, "now", lambda: time.time() + state.RENEW_AFTER_S)
    assert "Set-Cookie" in client.get("/").headers


def test_cors_only_for_partner_origins(client):
    response = client.get("/api/v1/questions", headers={"Origin": PARTNER})
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    assert "Origin" in response.headers.get("Vary", "")
    response = post(client, {"answers": {}}, headers={"Origin": PARTNER})
    assert response.headers["Access-Control-Allow-Origin"] == PARTNER
    # A partner's page can read the errors too.
    assert post(client, {"answers": 1}, headers={"Origin": PARTNER}).headers["Access-Control-Allow-Origin"] == PARTNER
    assert client.get("/api/v1/nothing", headers={"Origin": PARTNER}).headers["Access-Control-Allow-Origin"] == PARTNER

    preflight = client.options(
        "/api/v1/match",
        headers={
            "Origin": PARTNER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204 and not preflight.data
    assert preflight.headers["Access-Control-Allow-Origin"] == PARTNER
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert preflight.headers["Access-Control-Max-Age"] == "600"

    for origin in (
        "https://evil.example",
        "https://partner.example.org.evil.example",
        "null",
        "http://partner.example.org",
    ):
        for response in (
            client.get("/api/v1/questions", headers={"Origin": origin}),
            post(client, {"answers": {}}, headers={"Origin": origin}),
            client.options("/api/v1/match", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}),
        ):
            assert not [name for name, _value in response.headers if name.lower().startswith("access-control-")], origin
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/questions").headers


def test_cors_headers_stay_on_the_api(client):
    response = client.get("/", headers={"Origin": PARTNER})
    assert "Access-Control-Allow-Origin" not in response.headers


def _limited_app(**config):
    # Rate limiting is on here whatever an earlier test set on the shared limiter.
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": True, **config})


def test_match_is_limited_to_120_a_minute(contract):
    client = _limited_app().test_client()
    for _ in range(120):
        assert post(client, {"answers": {}}).status_code == 200
    response = post(client, {"answers": {}})
    body = problem(response, 429)
    assert "Retry-After" in body["detail"]
    assert int(response.headers["Retry-After"]) > 0
    contract.check("/api/v1/match", "post", response)
    # A preflight is never counted against the limit.
    assert client.options("/api/v1/match", headers={"Origin": PARTNER}).status_code == 204


def test_reading_is_limited_to_300_a_minute(contract):
    client = _limited_app().test_client()
    for _ in range(300):
        assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/api/v1/openapi.json")
    problem(response, 429)
    # Each address has its own allowance.
    assert client.get("/api/v1/questions").status_code == 200
    client = _limited_app(API_READ_RATE_LIMIT="1/minute").test_client()
    client.get("/api/v1/questions")
    contract.check("/api/v1/questions", "get", client.get("/api/v1/questions"))


# --- documentation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/docs", "/api/v1/docs?lang=ar"])
def test_documentation_page(browser, url):
    page = browser.get(url)
    assert page.status == 200
    assert page.h1 == "API for developers"
    text = page.text()
    assert "curl -X POST" in text and "/api/v1/match" in text
    assert 'href="/api/v1/openapi.json"' in page.html
    for path in ("/api/v1/questions", "/api/v1/approaches", "/api/v1/organisations"):
        assert path in text
    assert 'id="invalid-request"' in page.html
    # The example works as shown.
    example = re.search(r"-d '(\{.*?\})'</code>", page.html, re.S)
    assert example, "no curl example with a body"
    response = post(browser.client, json.loads(html.unescape(example.group(1))))
    assert response.status_code == 200


def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": BASE, "description": "This service."}]
    assert set(document["paths"]) == {
        "/questions",
        "/match",
        "/approaches",
        "/organisations",
        "/taxonomy",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
        "/services",
        "/services/{id}",
        "/openapi.json",
        "/",
        "/docs",
    }
    schemas = document["components"]["schemas"]
    for name in ("MatchResult", "ApproachMatch", "OrganisationMatch", "Problem", "Question", "Organisation"):
        assert schemas[name]["additionalProperties"] is False
        assert schemas[name]["required"]
    match = document["paths"]["/match"]["post"]
    assert set(match["responses"]) == {"200", "400", "413", "415", "422", "429"}
    assert match["responses"]["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }


def test_i_do_not_know_is_listed_for_someone_else_and_matched_as_safely_as_not_saying(client):
    questions = {q["id"]: q for q in client.get("/api/v1/questions").get_json()["questions"]}
    options = {o["code"]: o for o in questions["injecting"]["options"]}
    assert options["dont_know"]["audience"] == "someone_else"
    assert options["prefer_not_to_say"]["audience"] is None
    body = post(client, {"answers": {"who": "someone_else", "substances": ["dont_know"]}}).get_json()
    shown = {a["id"] for a in body["approaches"]}
    assert {"naloxone", "needle-syringe-exchange"} <= shown
