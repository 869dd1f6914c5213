"""The call-back request form on the reach-out page, through the test client with CSRF on."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from wizard import create_app

from .callback_helpers import VALID, form_key, reference_on, send
from .pages import Browser
from .test_journey import FULL, walk


@pytest.fixture
def app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'callbacks.sqlite3'}",
            "CALLBACK_RATE_LIMIT": "1000 per hour",
        }
    )


@pytest.fixture
def store(app):
    return app.extensions["callbacks"]


def error_texts(page) -> list[str]:
    import re

    summary = page.html.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]


def test_the_form_is_on_the_reach_out_page_with_a_label_for_every_field(browser):
    page = browser.get("/reach-out")
    assert "Ask World Assistance to contact you" in page.text()
    names = {field.get("name") for field in page.parsed.inputs}
    for name in ("name", "phone", "email", "best_time", "language", "leave_message", "say_who", "for_whom"):
        assert name in names, name
    assert 'name="message"' in page.html and 'name="consent"' in page.html
    # The consent box starts unticked: agreeing is the person's own act.
    assert 'id="callback-consent" name="consent" value="y">' in page.html
    assert 'autocomplete="tel"' in page.html and 'autocomplete="email"' in page.html


def test_a_request_is_stored_with_the_answers_and_results_after_consent(browser, store):
    walk(browser, FULL)
    page = browser.get("/reach-out")
    # Who the help is for comes from the answers already given.
    assert 'id="callback-for_whom-myself" name="for_whom" value="myself" checked' in page.html
    done = send(browser, page)
    assert browser.history[-1] == "/reach-out/requested"
    assert done.h1 == "Your request has been sent"
    reference = reference_on(done)
    stored = store.get(reference)
    assert stored.status == "open"
    assert stored.details["name"] == "Sam"
    assert stored.details["phone"] == "+447911123456"
    assert stored.details["message"] == "Evenings are hard."
    summary = stored.details["summary"]
    assert summary["answers"]["country"] == "GB"
    assert summary["answers"]["substances"] == ["opioids", "alcohol"]
    assert summary["approaches"], "the approaches shown are part of the summary"
    assert "medication-assisted-treatment" in summary["approaches"]


def test_nothing_is_stored_without_consent(browser, store):
    page = send(browser, browser.get("/reach-out"), consent=None)
    assert page.title.startswith("Error: ")
    assert "Tick the box to agree that we may store your request" in error_texts(page)
    assert store.count() == 0
    # What the person typed is kept on the page so they need not type it again.
    assert 'value="Sam"' in page.html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name or nickname we can ask for"),
        ({"name": "x" * 81}, "Name must be 80 characters or fewer"),
        ({"name": "Sam\x07"}, "Remove special characters from the name"),
        ({"phone": "", "email": ""}, "Enter a phone number or an email address, or both"),
        ({"phone": "12"}, "Enter the phone number with its country code, like +44 7700 900123"),
        ({"phone": "+44 12"}, "Enter a real phone number"),
        ({"email": "sam@", "phone": ""}, "Enter an email address in the right format, like name@example.com"),
        ({"best_time": "midnight"}, "Select the best time to contact you"),
        ({"language": "xx"}, "Select the language you would like us to use"),
        ({"leave_message": "true"}, "Select whether it is safe to leave a message"),
        ({"say_who": None}, "Select whether we can say who is calling"),
        ({"for_whom": "cat"}, "Select who the help is for"),
        ({"for_whom": "someone_else"}, "Select whose contact details these are"),
        ({"message": "x" * 501}, "Your message must be 500 characters or fewer"),
        ({"website": "https://spam.example"}, "Leave the last field empty"),
    ],
)
def test_each_field_is_checked_with_a_clear_message(browser, store, fields, message):
    page = send(browser, browser.get("/reach-out"), **fields)
    assert page.status == 200
    assert message in error_texts(page)
    assert store.count() == 0


def test_error_summary_links_point_at_fields_on_the_page(browser):
    page = send(browser, browser.get("/reach-out"), name="", phone="", email="", best_time=None, consent=None)
    import re

    targets = re.findall(r'<li><a href="#([^"]+)"', page.html)
    assert len(targets) == 4
    for target in targets:
        assert f'id="{target}"' in page.html


def test_phone_numbers_are_read_for_the_country_given_and_kept_in_international_form(browser, store):
    walk(browser, FULL)  # country: GB
    done = send(browser, browser.get("/reach-out"), phone="07911 123456")
    assert store.get(reference_on(done)).details["phone"] == "+447911123456"


def test_email_only_is_enough_and_is_kept_normalised(browser, store):
    done = send(browser, browser.get("/reach-out"), phone="", email="Sam@Example.ORG")
    details = store.get(reference_on(done)).details
    assert details["email"] == "Sam@example.org"
    assert "phone" not in details


def test_for_someone_else_records_whose_details_they_are(browser, store):
    done = send(browser, browser.get("/reach-out"), for_whom="someone_else", whose_details="theirs")
    details = store.get(reference_on(done)).details
    assert (details["for_whom"], details["whose_details"]) == ("someone_else", "theirs")


def test_sending_the_same_form_twice_stores_one_request(browser, client, store):
    page = browser.get("/reach-out")
    first = send(browser, page)
    again = send(browser, page)  # a double click, or Back and send again
    assert reference_on(first) == reference_on(again)
    assert store.count() == 1
    # Coming back to the form says a request was already sent, with its reference.
    page = browser.get("/reach-out")
    assert f"Your reference is {reference_on(first)}" in page.text()
    # A fresh form on return: sending it would be a new, deliberate request.
    assert 'name="form_key"' in page.html


def test_a_new_form_gets_a_new_key(browser):
    assert form_key(browser.get("/reach-out")) != form_key(browser.get("/reach-out"))


def test_a_forged_form_key_is_refused_with_a_clear_page(browser, client, store):
    page = browser.get("/reach-out")
    data = {**VALID, "csrf_token": page.csrf_token(), "form_key": "<script>"}
    refused = browser.post("/reach-out", data=data)
    assert refused.status == 400
    assert refused.h1 == "Something was wrong with that request"
    assert store.count() == 0


def test_the_confirmation_page_needs_a_request(browser):
    browser.get("/reach-out/requested")
    assert browser.history[-1] == "/reach-out"


def test_a_storage_failure_says_nothing_was_stored(browser, store, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store, "submit", broken)
    page = send(browser, browser.get("/reach-out"))
    assert page.status == 503
    assert "Your request could not be saved. Nothing was stored. Please try again." in page.text()
    assert browser.history[-1] == "/reach-out"


def test_too_many_requests_get_a_friendly_page(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'limited.sqlite3'}",
            "CALLBACK_RATE_LIMIT": "2 per hour",
        }
    )
    browser = Browser(app.test_client())
    for _ in range(2):
        send(browser, browser.get("/reach-out"))
    page = send(browser, browser.get("/reach-out"))
    assert page.status == 429
    assert page.h1 == "Please wait before sending this again"
    # Reading the page is never limited, and help stays one tap away.
    assert browser.get("/reach-out").status == 200
    assert "/help-now" in page.html
    assert app.extensions["callbacks"].count() == 2


def test_a_request_through_a_partner_site_records_the_partner(browser, store):
    page = browser.get("/embed/example/reach-out")
    done = send(browser, page)
    assert browser.history[-1] == "/embed/example/reach-out/requested"
    assert store.get(reference_on(done)).partner == "example"


def test_messages_are_in_the_persons_language(browser, store):
    page = send(browser, browser.get("/reach-out?lang=es"), consent=None, language="es")
    assert 'lang="es"' in page.html
    assert "Hay un problema" in page.html
    assert "Marque la casilla para aceptar que guardemos su solicitud" in page.text()
    assert store.count() == 0


def test_the_privacy_page_explains_what_a_request_stores(browser):
    text = browser.get("/privacy").text()
    assert "Nothing is stored on our server unless you fill in the call-back form" in text
    assert "deleted after 90 days" in text
