"""Results, reach out and the printed plan: crisis lines first, caveats, safety notes, disclosure."""

from __future__ import annotations

import re

ANSWERS = {
    "who": "myself",
    "country": "US",
    "danger": "not_now",
    "substances": ["opioids", "alcohol"],
    "injecting": "does_not_inject",
    "readiness": "stop",
    "faith": "faith_based",
    "setting": "inpatient",
    "medication": "not_open",
    "previous_treatment": "never",
    "support": ["peer_groups"],
    "needs": [],
}


def complete(browser, answers: dict):
    page = browser.get("/questions")
    while "/questions/" in browser.history[-1]:
        qid = browser.history[-1].split("?")[0].rsplit("/", 1)[1]
        page = browser.answer(page, answers.get(qid))
    assert browser.history[-1] == "/check-answers"
    return browser.get("/results")


def test_results_list_crisis_lines_first_and_every_emergency_number(browser):
    page = complete(browser, ANSWERS)
    assert browser.history[-1] == "/results"
    contacts = page.html[page.html.index('id="contacts"') :]
    assert contacts.index("988 Suicide") < contacts.index("SAMHSA")
    assert "Not a crisis line: information and advice" in contacts
    assert '<ul class="emergency-numbers">' in contacts and 'href="tel:911"' in contacts


def test_no_medication_keeps_naloxone_and_detox_shows_its_safety_notes(browser):
    page = complete(browser, ANSWERS)
    assert 'id="approach-naloxone"' in page.html or 'href="/approaches/naloxone"' in page.html
    assert "medication-assisted-treatment" not in page.html
    # Detox is further down, in the shorter list: its safety notes come with it there too.
    detox = page.html[page.html.index('href="/approaches/detox"') :]
    detox = detox[: detox.index("</li>")]
    assert "Withdrawal symptoms can be severe" in detox and "high risk of overdose" in detox
    plan = browser.get("/plan")
    plan_contacts = plan.html[plan.html.index('id="plan-contacts"') :]
    assert plan_contacts.index("988 Suicide") < plan_contacts.index("SAMHSA")


def test_world_assistance_is_disclosed_where_it_is_shown(browser):
    page = complete(browser, ANSWERS)
    assert "World Assistance" in page.text()
    assert re.search(r"Please note:\s*</strong>\s*World Assistance is the organisation behind the articles", page.html)


def test_secular_answers_do_not_show_faith_based_organisations(browser):
    page = complete(browser, {**ANSWERS, "faith": "secular"})
    direct = page.html[page.html.index('id="organisations"') :] if 'id="organisations"' in page.html else page.html
    assert "World Assistance" not in direct


def test_reach_out_shows_the_numbers_with_their_caveats(browser):
    complete(browser, {**ANSWERS, "country": "ZA"})
    page = browser.get("/reach-out")
    text = page.text()
    assert re.search(r"10177.*112\s*Works from mobile phones only\.", text, re.S)
