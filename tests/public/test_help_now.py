"""Get help now: the right number first, written for who is in danger, crisis lines before others."""

from __future__ import annotations

import re

import pytest


def answer_until_danger(browser, who: str, country: str):
    page = browser.get("/questions")
    page = browser.answer(page, who)
    page = browser.answer(page, country)
    return browser.answer(page, "danger_now")


def main_text(page) -> str:
    return page.text()


def position(page, needle: str) -> int:
    found = page.html.find(needle)
    assert found >= 0, needle
    return found


def test_danger_leads_with_the_emergency_number_before_anything_else(browser):
    page = answer_until_danger(browser, "myself", "US")
    assert browser.history[-1] == "/help-now"
    main = page.html[page.html.index("<main") :]
    first_number = re.search(r'href="tel:(\d+)"', main).group(1)
    assert first_number == "911"
    # The emergency number comes before the crisis line, which comes before the information line.
    assert position(page, 'href="tel:911"') < position(page, "988 Suicide") < position(page, "SAMHSA")


@pytest.mark.parametrize(
    ("country", "crisis", "information"),
    [("US", "988 Suicide", "SAMHSA"), ("GB", "Samaritans", "FRANK"), ("AU", "Lifeline", "National Alcohol")],
)
def test_crisis_lines_come_first_and_others_say_they_are_not(browser, country, crisis, information):
    page = answer_until_danger(browser, "myself", country)
    html = page.html[page.html.index("Crisis lines and helplines") :]
    assert html.index(crisis) < html.index(information)
    assert "Crisis line" in html and "Not a crisis line: information and advice" in html
    assert "Open 24 hours a day, every day" in html


def test_a_country_whose_lines_are_all_information_lines_says_so(browser, app):
    matcher = app.extensions["services"].matcher
    portugal = matcher.contacts["PT"]
    only_info = portugal.model_copy(update={"helplines": tuple(h for h in portugal.helplines if h.kind != "crisis")})
    matcher.contacts["PT"] = only_info
    try:
        page = answer_until_danger(browser, "myself", "PT")
    finally:
        matcher.contacts["PT"] = portugal
    assert "We have no checked crisis line for this country" in page.text()
    assert re.search(r"call 112\s*\.", page.text())


def test_portugal_and_kenya_have_crisis_lines_with_hours(browser, client):
    page = browser.post("/help-now", data={"country": "PT"})
    text = page.text()
    assert "Linha Nacional de Prevenção do Suicídio" in text and "tel:1411" in page.html
    assert "Hours: Monday to Friday, 10am to 6pm" in text  # Linha Vida, an information line
    page = browser.post("/help-now", data={"country": "KE"})
    assert "Kenya Red Cross counselling line" in page.text() and "tel:1199" in page.html


def test_caveats_are_shown_to_the_person(browser):
    page = browser.post("/help-now", data={"country": "ZA"})
    text = page.text()
    assert re.search(r"Call 10177\s*now", text)
    assert re.search(r"112\s*Works from mobile phones only\.", text)
    page = browser.post("/help-now", data={"country": "ID"})
    assert "Not answered in every part of the country yet." in page.text()
    page = browser.post("/help-now", data={"country": "TZ"})
    assert "Answered by the police, who pass the call on." in page.text()


def test_for_myself_the_person_in_danger_comes_first(browser):
    page = answer_until_danger(browser, "myself", "GB")
    assert position(page, "If you are the one in danger") < position(page, "If someone else is in danger")
    assert "unlock your door" in page.text()
    # The self-harm crisis line is named in the person's own steps.
    steps = page.html[page.html.index("If you are the one in danger") : page.html.index("If someone else")]
    assert "Samaritans" in steps and 'href="tel:116123"' in steps


def test_for_someone_else_the_bystander_steps_come_first_with_their_source(browser):
    page = answer_until_danger(browser, "someone_else", "GB")
    assert position(page, "If someone else is in danger") < position(page, "If you are the one in danger")
    text = page.text()
    assert "recovery position" in text and "If you have naloxone" in text
    assert 'href="https://hse.ie/eng/services/publications/socialinclusion/addiction/identifyanoverdose.html"' in (
        page.html
    )


def test_choosing_another_country_keeps_the_steps_for_who_is_in_danger(browser):
    answer_until_danger(browser, "someone_else", "prefer_not_to_say")
    page = browser.post("/help-now", data={"country": "NZ"})
    assert 'href="tel:111"' in page.html
    assert position(page, "If someone else is in danger") < position(page, "If you are the one in danger")


def test_after_danger_carrying_on_explains_what_happens(browser):
    page = answer_until_danger(browser, "myself", "GB")
    assert "If the danger has passed, change your answer to “No, not right now”" in page.text()


def test_without_a_country_there_are_widely_used_numbers_and_a_choice(browser, client):
    page = browser.get("/help-now")
    text = page.text()
    assert "Call your local emergency number now." in text
    assert re.search(r"In the European Union: 112\s*\. In the United States and Canada: 911", text)
    assert 'name="country"' in page.html
    cookies_before = {c.key: c.value for c in client._cookies.values()}
    page = browser.post("/help-now", data={"country": "PT"})
    assert re.search(r"Call 112\s*now\. It is the emergency number in Portugal\.", page.text())
    # Nothing is kept: the cookie (if any) is as it was, and the next page knows no country.
    assert {c.key: c.value for c in client._cookies.values()} == cookies_before
    assert "Call your local emergency number now." in browser.get("/help-now").text()
    assert "Portugal" not in browser.history[-1]


def test_the_browser_language_region_suggests_a_country_without_keeping_it(client):
    response = client.get("/help-now", headers={"Accept-Language": "pt-PT,pt;q=0.9"})
    html = response.get_data(as_text=True)
    assert "Portugal" in html and 'href="tel:112"' in html
    assert response.headers.get_all("Set-Cookie") == []
    # A choice posted on the page is not kept either.
    assert client.post("/help-now", data={"country": "KE"}).headers.get_all("Set-Cookie") == []


def test_a_forged_country_is_ignored(browser):
    page = browser.post("/help-now", data={"country": "<script>"})
    assert page.status == 200
    assert "Call your local emergency number now." in page.text()


def test_the_crisis_banner_number_is_a_large_tap_target(browser):
    page = browser.get("/questions")
    page = browser.answer(page, "myself")
    page = browser.answer(page, "ZA")
    banner = page.html[page.html.index('class="crisis"') : page.html.index("</aside>")]
    assert 'class="phone phone--big" href="tel:10177"' in banner


def test_text_numbers_are_sms_links(browser):
    page = browser.post("/help-now", data={"country": "US"})
    assert 'href="sms:988"' in page.html


def test_detox_carries_its_sourced_safety_notes(browser):
    page = browser.get("/approaches/detox")
    text = page.text()
    assert "Withdrawal symptoms can be severe" in text
    assert "People who stop and then use again are at high risk of overdose" in text
    assert "https://www.drugs.ie/drug_tolerance/" in page.html


def test_one_page_danger_question_has_its_own_get_help_button(browser):
    page = browser.get("/all-questions")
    html = page.html
    danger = html[html.index('name="danger"') :]
    assert 'formaction="/help-now"' in danger[: danger.index("</fieldset>")]
    # Both wordings and the option hints are there.
    assert "If the help is for someone else: Are they in danger right now" in page.text()
    assert "For example heroin" in page.text() or "heroin" in page.text()


def test_one_page_get_help_uses_who_and_country_and_stores_nothing(browser, client):
    page = browser.get("/all-questions")
    page = browser.post(
        "/help-now",
        data={"csrf_token": page.csrf_token(), "who": "someone_else", "country": "FR", "danger": "danger_now"},
    )
    assert re.search(r"Call 112\s*now\. It is the emergency number in France\.", page.text())
    assert position(page, "If someone else is in danger") < position(page, "If you are the one in danger")
    assert "3114" in page.text()
    assert browser.get("/help-now").text().count("Call your local emergency number now.") == 1
