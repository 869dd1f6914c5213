"""Answers never reach the logs."""

from __future__ import annotations

import logging

from tests.support.answers import FULL
from tests.support.journey import walk


def test_a_full_journey_logs_no_answers(browser, caplog):
    caplog.set_level(logging.DEBUG)
    walk(browser, FULL)
    browser.get("/results")
    browser.get("/reach-out")
    browser.post("/all-questions", data={**FULL})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for code in {c for v in FULL.values() for c in (v if isinstance(v, list) else [v]) if c}:
        assert code not in logged


def test_a_region_and_a_town_are_never_logged(browser, client, caplog):
    caplog.set_level(logging.DEBUG)
    answers = {**FULL, "country": "US", "subdivision": "US-IL", "town": "Springfield"}
    walk(browser, answers)
    browser.get("/results")
    page = browser.get("/questions/town?change=1")
    suggested = client.post("/questions/town/suggestions", json={"text": "Springfi", "csrf_token": page.csrf_token()})
    assert suggested.status_code == 200 and suggested.get_json()["suggestions"]
    page = browser.answer(page, "Quokkaville")  # an unknown town: the error page with the name
    assert "Quokkaville" in page.text()
    browser.post("/all-questions", data={**answers, "town": "Springfield"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/questions/town" in logged  # the requests are logged, by their route only
    for private in ("Quokkaville", "Springfi", "US-IL", "Illinois", "4250542"):
        assert private not in logged
