"""The family-member journey: "I do not know" where a carer may not know, and "Support for you"."""

from __future__ import annotations

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk

# A mother in the United States asking about her adult son, who is not ready, and who does not know much.
MOTHER = {
    **FULL,
    "who": "someone_else",
    "country": "US",
    "substances": ["dont_know"],
    "readiness": "not_sure",
    "previous_treatment": "dont_know",
    "support": [],
    "needs": ["none_of_these"],
}
MYSELF = {**FULL, "country": "US", "readiness": "not_sure"}


def results_for(browser, answers):
    _page, seen = walk(browser, answers)
    return browser.get("/results"), seen


def walk_until(browser, answers, stop_at):
    page = browser.get("/questions")
    while not browser.history[-1].startswith(f"/questions/{stop_at}"):
        page = browser.answer(page, answers[browser.history[-1].rsplit("/", 1)[1]])
    return page


def support_section(page) -> str:
    html = page.html
    start = html.index('<h2 id="support-for-you">')
    return html[start : html.index("</section>", start)]


def test_a_family_member_sees_support_for_themselves(browser):
    page, seen = results_for(browser, MOTHER)
    assert page.status == 200
    # Not knowing the substances skips the injecting question, as "prefer not to say" does.
    assert "injecting" not in seen
    section = support_section(page)
    assert "Support for you" in section
    assert "Helplines for family and friends" in section
    # SAMHSA's National Helpline takes calls from families: a number to tap, its hours and cost.
    assert "SAMHSA" in section and 'href="tel:' in section
    assert "Open 24 hours a day, every day" in section
    assert "How to talk with someone who is not ready" in section
    assert "forcing people into rehabilitation has mostly failed" in section
    assert "Source: Office of the Surgeon General" in section
    # Not knowing is as safe as not saying: naloxone and clean needles are in the results.
    assert "naloxone" in page.text().lower() and "needle" in page.text().lower()


def test_the_talking_guidance_is_for_someone_who_is_not_ready(browser):
    page, _ = results_for(browser, {**MOTHER, "readiness": "stop"})
    section = support_section(page)
    assert "Support for you" in section
    assert "How to talk with someone who is not ready" not in section


def test_no_support_for_you_section_when_the_help_is_for_oneself(browser):
    page, _ = results_for(browser, MYSELF)
    assert page.status == 200
    assert 'id="support-for-you"' not in page.html
    assert "Support for you" not in page.text()


def test_the_substances_question_does_not_presume_they_want_help(browser):
    page = walk_until(browser, MOTHER, "substances")
    assert "Which substances are you worried about?" in page.text()
    assert 'value="dont_know"' in page.html


@pytest.mark.parametrize("qid", ["substances", "previous_treatment"])
def test_i_do_not_know_is_not_offered_to_someone_answering_for_themselves(browser, qid):
    page = walk_until(browser, MYSELF, qid)
    assert 'value="dont_know"' not in page.html
    # Sent anyway (a forged or stale form): refused with a message that says why.
    page = browser.answer(page, ["dont_know"])
    assert page.has_error_summary()
    assert "“I do not know” can only be chosen when the help is for someone else" in page.text()


def test_the_one_page_form_lists_i_do_not_know_saying_whom_it_is_for(browser):
    page = browser.get("/all-questions")
    assert 'id="previous_treatment-dont_know"' in page.html
    assert "Only if the help is for someone else" in page.text()
