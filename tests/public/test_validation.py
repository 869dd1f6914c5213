"""Every validation error, forged input and tampering: a clear message, never a 500."""

from __future__ import annotations

import time

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk
from wizard.public import answers as state


def start(browser):
    return browser.get("/questions")


def test_missing_answer_shows_error_summary_and_message(browser):
    page = start(browser)
    page = browser.answer(page, None)
    assert page.status == 200
    assert page.title.startswith("Error: ")
    assert page.has_error_summary()
    assert "Select who you are looking for help for" in page.text()
    assert 'href="#who-myself"' in page.html  # the summary links to the first option
    assert 'id="who-error"' in page.html
    # The error is shown once: reloading the page shows the question without it.
    page = browser.get("/questions/who")
    assert not page.has_error_summary()


@pytest.mark.parametrize("qid", ["who", "country", "danger", "readiness", "faith", "setting", "medication"])
def test_every_required_question_has_its_own_message(browser, qid):
    answers = dict(FULL)
    answers[qid] = None
    page, _ = walk_until(browser, answers, qid)
    page = browser.answer(page, None)
    assert page.has_error_summary()
    assert browser.history[-1].startswith(f"/questions/{qid}")


def walk_until(browser, answers, stop_at):
    page = browser.get("/questions")
    seen = []
    while not browser.history[-1].startswith(f"/questions/{stop_at}"):
        qid = browser.history[-1].rsplit("/", 1)[1]
        seen.append(qid)
        page = browser.answer(page, answers[qid])
    return page, seen


def test_forged_option_code_gets_the_normal_message(browser):
    page = start(browser)
    page = browser.answer(page, "administrator")
    assert page.status == 200
    assert "Select who you are looking for help for" in page.text()


def test_forged_country_code(browser):
    page = start(browser)
    page = browser.answer(page, "myself")
    page = browser.answer(page, "XX")
    assert page.has_error_summary()
    assert browser.history[-1] == "/questions/country"


def test_exclusive_option_cannot_be_combined(browser):
    page, _ = walk_until(browser, FULL, "needs")
    page = browser.answer(page, ["cost", "prefer_not_to_say"])
    assert page.has_error_summary()
    assert "cannot be chosen together with other answers" in page.text()


def test_forged_multiple_value(browser):
    page, _ = walk_until(browser, FULL, "needs")
    page = browser.answer(page, ["cost", "<script>"])
    assert page.has_error_summary()
    assert "<script>" not in page.html.split('id="main"')[1].split("</main>")[0].replace("&lt;script&gt;", "")


def test_optional_question_can_be_left_blank(browser):
    page, _ = walk_until(browser, FULL, "support")
    page = browser.answer(page, None)
    assert browser.history[-1] == "/questions/needs"


def test_skipping_ahead_lands_on_the_first_unanswered_question(browser):
    start(browser)
    browser.get("/questions/medication")
    assert browser.history[-1] == "/questions/who"
    browser.get("/results")
    assert browser.history[-1] == "/questions/who"
    browser.get("/check-answers")
    assert browser.history[-1] == "/questions/who"


def test_unknown_question_is_a_friendly_404(browser):
    page = browser.get("/questions/nope")
    assert page.status == 404
    assert page.h1 == "Page not found"


def test_missing_csrf_token_with_a_session_restarts_politely(browser, client):
    start(browser)
    page = browser.post("/questions/who", data={"who": "myself"})
    assert page.status == 400
    assert page.h1 == "Your answers were cleared"


def test_cookies_refused_leads_to_the_one_page_version(app):
    client = app.test_client(use_cookies=False)
    response = client.post("/questions/who", data={"who": "myself", "csrf_token": "x"})
    assert response.status_code == 303
    assert response.location == "/cookies-off"
    page = client.get("/cookies-off").get_data(as_text=True)
    assert 'href="/all-questions"' in page


def test_tampered_cookie_is_ignored_not_a_crash(browser, client):
    walk(browser, FULL)
    client.set_cookie("wizard", "eyJhbnN3ZXJzIjp7IndobyI6Im15c2VsZiJ9fQ.forged.signature")
    page = browser.get("/results")
    assert page.status == 200
    assert browser.history[-1] == "/questions/who"


def test_session_with_unknown_answers_is_sanitised(app, browser, client):
    with client.session_transaction() as session:
        session["answers"] = {"who": "myself", "country": "GB", "danger": "not_now", "evil": "x", "faith": ["list"]}
    page = browser.get("/questions")
    assert browser.history[-1] == "/questions/subdivision"
    assert page.status == 200


def test_oversized_body_is_a_friendly_413(browser):
    start(browser)
    page = browser.post("/questions/who", data={"who": "x" * 100_000})
    assert page.status == 413
    assert page.h1 == "That was too much information"


def test_method_not_allowed_is_friendly(browser):
    page = browser.post("/results", data={})
    assert page.status in (400, 405)


def test_the_cookie_is_renewed_once_a_minute_while_in_use(browser, client, monkeypatch):
    walk(browser, FULL)
    # Just signed: reading pages does not sign it again...
    assert "Set-Cookie" not in client.get("/check-answers").headers
    # ...until its signature is a minute old; then the next page renews the 30-minute limit.
    monkeypatch.setattr(state, "now", lambda: time.time() + state.RENEW_AFTER_S)
    renewed = client.get("/check-answers").headers.get("Set-Cookie", "")
    assert renewed.startswith("wizard=") and "HttpOnly" in renewed
    # Quiet requests (assets, health checks) never touch it.
    assert "Set-Cookie" not in client.get("/healthz").headers


def test_idle_answers_expire(app, browser, client, monkeypatch):
    walk(browser, FULL)
    import itsdangerous.timed

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) + 31 * 60)
    browser.get("/check-answers")
    assert browser.history[-1] == "/questions/who"
