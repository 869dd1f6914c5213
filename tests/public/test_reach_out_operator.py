"""Reach out says who will contact the person before they give a number, the form survives an expired
session, and the confirmation repeats what will happen with the contact masked (usability S7, M4, M5)."""

from __future__ import annotations

import re
import time

import itsdangerous.timed
import pytest

from tests.support.answers import FULL
from tests.support.callbacks import VALID, form_key, reference_on, send
from tests.support.journey import walk
from tests.support.operator import OPERATOR_SETTINGS

NO_OPERATOR_DETAILS = {
    "OPERATOR_DEMO": False,
    **{name: "" for name in OPERATOR_SETTINGS if name != "OPERATOR_NAME"},
}
PORTUGAL = {**FULL, "country": "PT"}

pytestmark = pytest.mark.app_settings(database=True, CALLBACK_RATE_LIMIT="1000 per hour", **OPERATOR_SETTINGS)


@pytest.fixture
def store(app):
    return app.extensions["services"].callbacks


def main_text(page) -> str:
    main = page.html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r" ([.,)])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", main).split()))


def test_who_will_contact_you_comes_before_the_form(browser):
    text = main_text(browser.get("/reach-out"))
    block = text.split("Who will contact you", 1)[1].split("Ask Example Recovery Line to contact you", 1)[0]
    for expected in (
        "Who Someone from Example Recovery Line",
        "Calling from Portugal",
        "Languages Portuguese and English",
        "Your phone will show A withheld (hidden) number",
        "When Within 2 working days, at the time of day you choose",
    ):
        assert expected in block, expected
    assert "example details" not in block
    assert "Can we say we are calling from Example Recovery Line?" in text


def test_a_number_the_calls_come_from_and_a_response_in_hours_are_said_as_such(app_with):
    app = app_with(OPERATOR_CALLER_ID="+351 210 000 000", OPERATOR_RESPONSE_TIME="24 hours", OPERATOR_COUNTRY="PT")
    text = " ".join(re.sub(r"<[^>]+>", " ", app.test_client().get("/reach-out").get_data(as_text=True)).split())
    assert "Your phone will show +351 210 000 000" in text
    assert "Within 24 hours, at the time of day you choose" in text


def test_the_fictional_operator_of_development_is_labelled(app_with):
    page = app_with().test_client().get("/reach-out").get_data(as_text=True)
    assert "These are example details for trying out this service: no one will contact you." in page


@pytest.mark.app_settings(database=True, **NO_OPERATOR_DETAILS)
def test_without_the_operators_details_there_is_no_empty_block_and_the_helplines_come_first(browser):
    walk(browser, FULL)
    text = main_text(browser.get("/reach-out"))
    assert "Who will contact you" not in text
    assert "have not been added" not in text
    assert text.index("Helplines") < text.index("Ask World Assistance to contact you")
    assert text.count("Helplines") == 1


def test_a_text_message_request_is_stored_as_such(browser, store):
    done = send(browser, browser.get("/reach-out"), contact_method="text")
    assert store.get(reference_on(done)).details["contact_method"] == "text"


def test_email_chosen_needs_an_email_address(browser, store):
    page = send(browser, browser.get("/reach-out"), contact_method="email", email="")
    assert "Enter an email address, or choose a phone call or a text message" in page.text()
    assert store.count() == 0


def test_another_language_can_be_asked_for(browser, store):
    page = browser.get("/reach-out")
    assert "Other language (tell us in the message)" in page.text()
    done = send(browser, page, language="other", message="Ukrainian, please")
    assert store.get(reference_on(done)).details["language"] == "other"
    assert "They will use the language you named in your message, if they can." in done.text()


def test_a_portuguese_mobile_number_one_digit_short_says_how_to_fix_it(browser, store):
    walk(browser, PORTUGAL)
    page = send(browser, browser.get("/reach-out"), phone="91234567")
    assert page.status == 200 and store.count() == 0
    assert (
        "Check the phone number: mobile numbers in Portugal have 9 digits, like 912 345 678. "
        "You can also start with +351."
    ) in page.text()
    assert "Enter a real phone number" not in page.text()


# --- the confirmation ---------------------------------------------------------------------------------------------


def test_the_confirmation_repeats_what_happens_with_the_number_masked(browser, store, caplog):
    walk(browser, PORTUGAL)
    done = send(browser, browser.get("/reach-out"), phone="912 345 678", best_time="evening", language="pt")
    text = main_text(done)
    reference = reference_on(done)
    assert "Someone from Example Recovery Line will contact you within 2 working days." in text
    assert "They will try at the time of day you chose: Evening." in text
    assert "They will use Portuguese if they can." in text
    assert "Your phone will show a withheld (hidden) number." in text
    assert "We will call the number ending 678." in text
    assert "912 345 678" not in done.html and "912345678" not in done.html
    assert (
        f"To cancel, or to change your request, contact cancel@example.org and give your reference, {reference}."
        in text
    )
    assert 'href="mailto:cancel@example.org"' in done.html
    # Portugal's emergency number, not "your emergency number".
    assert "call 112 now (the emergency number in Portugal)" in text
    assert "your emergency number" not in text
    # The contact goes into no address and no log.
    assert all("678" not in url for url in browser.history)
    assert "912" not in caplog.text


def test_an_email_address_is_masked_on_the_confirmation(browser):
    done = send(browser, browser.get("/reach-out"), contact_method="email", email="jane.doe@example.org", phone="")
    assert "We will email j•••@example.org." in main_text(done)
    assert "jane.doe" not in done.html


def test_a_text_message_is_confirmed_as_such(browser):
    done = send(browser, browser.get("/reach-out"), contact_method="text")
    assert "We will send a text message to the number ending 456." in main_text(done)


# --- an expired session -------------------------------------------------------------------------------------------


def later(monkeypatch, minutes: int) -> None:
    """Every signature now looks `minutes` older: the session cookie is refused after 30."""
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(time.time()) + minutes * 60
    )


def test_a_form_sent_after_the_session_expired_comes_back_filled_in_and_nothing_is_stored(browser, store, monkeypatch):
    walk(browser, FULL)
    page = browser.get("/reach-out")
    old_token, key = page.csrf_token(), form_key(page)
    later(monkeypatch, 31)
    typed = {**VALID, "name": "Sam Ü", "phone": "07911 123456", "message": "Only after 6pm, please."}
    again = browser.post("/reach-out", data={**typed, "csrf_token": old_token, "form_key": key})
    assert again.status == 400 and store.count() == 0
    # Said at the top, where focus goes, with a link to the form.
    assert 'href="#callback-notice"' in again.html and 'id="callback-notice"' in again.html
    text = main_text(again)
    assert (
        "For your privacy we cleared your answers after 30 minutes. "
        "Your contact details are still here: check them and press Send again."
    ) in text
    assert 'value="Sam Ü"' in again.html and 'value="07911 123456"' in again.html
    assert "Only after 6pm, please." in again.html
    assert (
        'value="morning" checked' in again.html
        and 'id="callback-consent" name="consent" value="y" checked' in again.html
    )
    # A fresh token, and the same form key: sending again stores it once.
    assert again.csrf_token() != old_token and form_key(again) == key
    # The answers were cleared: no results on the page.
    assert "Organisations from your results" not in text
    done = send(browser, again, name="Sam Ü", phone="+44 7911 123456")
    assert browser.history[-1] == "/reach-out/requested"
    assert store.count() == 1 and store.get(reference_on(done)).details["name"] == "Sam Ü"


def test_a_replayed_form_without_consent_is_still_not_stored(browser, store, monkeypatch):
    page = browser.get("/reach-out")
    old_token, key = page.csrf_token(), form_key(page)
    later(monkeypatch, 45)
    data = {**VALID, "csrf_token": old_token, "form_key": key}
    data.pop("consent")
    again = browser.post("/reach-out", data=data)
    assert again.status == 400 and store.count() == 0
    done = browser.post("/reach-out", data={**data, "csrf_token": again.csrf_token()})
    assert "Tick the box to agree that we may store your request" in done.text() and store.count() == 0


def test_a_form_sent_without_any_cookie_is_refilled_too(app, store):
    client = app.test_client(use_cookies=False)
    page = client.get("/reach-out").get_data(as_text=True)
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    response = client.post("/reach-out", data={**VALID, "csrf_token": "stale", "form_key": key})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and store.count() == 0
    assert "Your browser did not send back the cookie this form needs" in html and 'value="Sam"' in html
