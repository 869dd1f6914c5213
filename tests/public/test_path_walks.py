"""One request works the path through the questions out once (review section 7: it was
worked out 6 times for one answer). Every page, form and API call that needs the path
asks Journey.walk, so counting its calls counts the walks."""

from __future__ import annotations

import json

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk as answer_all
from tests.support.pages import Browser
from tests.support.staff import form_data, make_app, signed_in
from wizard.domain.journey import Journey


@pytest.fixture
def app(tmp_path):
    # With its own staff database, so that the staff guide can be signed in to as well.
    return make_app(tmp_path)


@pytest.fixture
def walks(monkeypatch) -> list[dict]:
    """The answers of every walk from now on."""
    calls: list[dict] = []
    original = Journey.walk

    def counting(self, answers):
        calls.append(dict(answers))
        return original(self, answers)

    monkeypatch.setattr(Journey, "walk", counting)
    return calls


def test_answering_a_question_and_the_pages_after_it_each_walk_once(app, walks):
    browser = Browser(app.test_client())
    answer_all(browser, FULL)
    token = browser.get("/questions/readiness").csrf_token()

    walks.clear()
    response = browser.client.post("/questions/readiness", data={"csrf_token": token, "readiness": "stop"})
    assert response.status_code == 303
    assert response.location == "/check-answers"  # taken, not sent back with an error
    assert len(walks) == 1

    for page in ("/check-answers", "/results"):
        walks.clear()
        assert browser.client.get(page).status_code == 200, page
        assert len(walks) == 1, page


def test_the_one_page_form_walks_once(app, walks):
    browser = Browser(app.test_client())
    token = browser.get("/all-questions").csrf_token()
    walks.clear()
    response = browser.client.post("/all-questions", data=form_data(FULL, csrf_token=token))
    assert response.status_code == 200
    assert "Your next steps" in response.get_data(as_text=True)
    assert walks == [FULL]


def test_an_api_match_walks_once(app, walks):
    response = app.test_client().post(
        "/api/v1/match", data=json.dumps({"answers": FULL}), content_type="application/json"
    )
    assert response.status_code == 200
    assert walks == [FULL]


def test_the_staff_guide_walks_once(app, walks):
    browser = signed_in(app)
    token = browser.get("/staff/guide").csrf_token()
    walks.clear()
    response = browser.client.post("/staff/guide/results", data=form_data(FULL, csrf_token=token))
    assert response.status_code == 200
    assert walks == [FULL]
