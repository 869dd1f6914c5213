"""The step-by-step journey through the Flask test client, CSRF on."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from tests.support.answers import FULL
from tests.support.journey import walk


def test_start_page_explains_the_tool(browser):
    page = browser.get("/")
    text = page.text()
    assert page.h1 == "Find recovery support that fits"
    # How many questions and how long, worked out from the rules: 11 without a country or substances
    # that bring more questions, 14 with a country that has regions and a substance that brings injecting.
    assert "11 to 14 short questions, depending on your answers. It takes about 5 to 10 minutes." in text
    assert "2 minutes" not in text
    assert "not stored on our server" in text
    assert "not a diagnosis or medical advice" in text
    assert 'href="/questions"' in page.html
    assert 'href="/all-questions"' in page.html


def test_whole_journey_reaches_results_and_reach_out(browser):
    page, seen = walk(browser, FULL)
    assert seen == list(FULL)  # injecting is asked because opioids were chosen
    assert browser.history[-1] == "/check-answers"
    assert page.h1 == "Check your answers"
    assert "United Kingdom" in page.text()
    page = browser.get("/results")
    text = page.text()
    assert page.h1 == "Your next steps"
    assert "Medicine for cravings and withdrawal" in text
    assert "Why it fits:" in text
    assert "From: Worldwide Trends in Addiction Treatment" in text or "From:" in text
    assert "999" in text  # the UK emergency number, now that the country is known
    assert "not a diagnosis or medical advice" in text
    assert "Groups you can contact" in text
    assert "Harm Reduction International" not in _section(page.html, "Groups you can contact", "for information")
    page = browser.get("/reach-out")
    assert page.h1 == "Reach out for help"
    assert "World Assistance" in page.text()
    assert "FRANK" in page.text()


def _section(html: str, start: str, end: str) -> str:
    a = html.index(start)
    return html[a : html.index(end, a)]


def test_skip_logic_leaves_out_injecting_and_drops_old_answer(browser):
    walk(browser, FULL)
    page = browser.get("/questions/substances?change=1")
    page = browser.answer(page, ["alcohol"])
    # Alcohol only: the injecting question leaves the path and its answer is dropped.
    assert browser.history[-1] == "/check-answers"
    assert "Injecting" not in page.text()
    page = browser.get("/questions/injecting")
    assert browser.history[-1] == "/check-answers"


def test_wording_adapts_for_someone_else(browser):
    page = browser.get("/questions")
    page = browser.answer(page, "someone_else")
    page = browser.answer(page, "GB")
    assert page.h1 == "Are they in danger right now, or might they have overdosed?"


def test_change_link_returns_to_check_answers(browser):
    page, _ = walk(browser, FULL)
    assert 'href="/questions/faith?change=1"' in page.html
    page = browser.get("/questions/faith?change=1")
    assert 'href="/check-answers"' in page.html  # back goes to the check page
    page = browser.answer(page, "faith_based")
    assert browser.history[-1] == "/check-answers"
    assert "Yes, a faith-based or spiritual approach" in page.text()


@pytest.mark.parametrize("prefix", ["", "/embed/example"])
def test_each_change_link_is_the_address_url_for_makes(app, browser, prefix):
    page = browser.get(prefix + "/questions")
    while "/questions/" in browser.history[-1]:
        page = browser.answer(page, FULL.get(browser.history[-1].rsplit("/", 1)[1]))
    assert browser.history[-1] == prefix + "/check-answers"
    links = re.findall(r'href="([^"]*\?change=1)"', page.html)
    assert len(links) == len(FULL)
    with app.test_request_context(prefix + "/check-answers"):
        app.preprocess_request()  # the embed's partner, from the address
        assert links == [url_for("questions.question", question_id=qid, change="1") for qid in FULL]


def test_back_links_are_real_links_to_the_previous_question(browser):
    page = browser.get("/questions")
    assert 'class="back-link" href="/"' in page.html
    page = browser.answer(page, "myself")
    assert 'class="back-link" href="/questions/who"' in page.html


def test_danger_goes_straight_to_crisis_contacts(browser):
    page = browser.get("/questions")
    page = browser.answer(page, "myself")
    page = browser.answer(page, "GB")
    page = browser.answer(page, "danger_now")
    assert browser.history[-1] == "/help-now"
    assert page.h1 == "Get help now"
    assert 'href="tel:999"' in page.html
    # Results stay out of reach until the person says it is safe.
    browser.get("/results")
    assert browser.history[-1] == "/help-now"
    assert 'href="/questions/danger?change=1"' in page.html


def test_crisis_line_is_generic_until_the_country_is_known(browser):
    page = browser.get("/")
    # No number before the country is known: we do not know theirs.
    assert "Danger now? Call your local emergency number." in page.text()
    assert 'href="tel:' not in page.html
    page = browser.get("/questions")
    page = browser.answer(page, "myself")
    page = browser.answer(page, "BR")
    assert 'href="tel:192"' in page.html
    assert "Danger now? Call 192" in page.text()


def test_start_again_clears_answers(browser):
    walk(browser, FULL)
    page = browser.get("/results")
    form_token = page.csrf_token()
    browser.post("/start-again", data={"csrf_token": form_token})
    assert browser.history[-1] == "/"
    browser.get("/check-answers")
    assert browser.history[-1] == "/questions/who"


def test_quick_exit_clears_answers_and_leaves(browser, client):
    walk(browser, FULL)
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.location == "https://example.org/weather"
    assert "cookies" in response.headers["Clear-Site-Data"]
    browser.get("/check-answers")
    assert browser.history[-1] == "/questions/who"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/questions/who",
        "/help-now",
        "/staying-safe-online",
        "/privacy",
        "/accessibility",
        "/reach-out",
        "/all-questions",
        "/approaches/detox",
    ],
)
def test_every_page_carries_safety_features_and_headers(browser, client, path):
    page = browser.get(path)
    assert page.status == 200
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_session_cookie_is_session_only_and_http_only(browser, client):
    page = browser.get("/questions")
    browser.answer(page, "myself")
    cookie = client.get_cookie("wizard")
    assert cookie is not None
    assert cookie.expires is None  # gone when the browser closes
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert "myself" not in (browser.history[-1])  # answers never in URLs


def test_answers_never_appear_in_urls(browser):
    walk(browser, FULL)
    browser.get("/results")
    codes = {c for v in FULL.values() for c in (v if isinstance(v, list) else [v]) if c}
    assert len(browser.history) > 12
    for url in browser.history:
        # Question ids appear in URLs; answer codes never do.
        assert [code for code in codes if code in url] == [], url


def test_back_at_the_danger_question_a_hint_says_which_answer_carries_on(browser):
    page = browser.get("/questions/danger")
    assert "If the danger has passed" not in page.text()
    page = browser.answer(browser.answer(browser.get("/questions"), "myself"), "GB")
    browser.answer(page, "danger_now")
    page = browser.get("/questions/danger?change=1")
    assert "If the danger has passed, choose “No, not right now”." in page.text()
    # Read out with the question, after its own hint.
    assert 'aria-describedby="danger-hint danger-passed"' in page.html
    page = browser.answer(page, "not_now")
    assert "If the danger has passed" not in browser.get("/questions/danger?change=1").text()
