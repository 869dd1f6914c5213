"""The call-back request form on the reach-out page, through the test client with CSRF on."""

from __future__ import annotations

import sqlite3
import time

import pytest

from tests.support.answers import FULL
from tests.support.callbacks import VALID, form_key, reference_on, send
from tests.support.journey import walk
from tests.support.pages import Browser
from wizard.storage import Database

pytestmark = pytest.mark.app_settings(database=True, CALLBACK_RATE_LIMIT="1000 per hour")


@pytest.fixture
def store(app):
    return app.extensions["services"].callbacks


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
        ({"phone": "", "email": ""}, "Enter a phone number for a call or a text message, or choose email"),
        ({"phone": "", "email": "", "contact_method": "email"}, "Enter a phone number or an email address, or both"),
        ({"contact_method": "letter"}, "Select how you would like us to contact you"),
        ({"phone": "12"}, "Enter the phone number with its country code, like +44 7700 900123"),
        (
            {"phone": "+44 12"},
            "Check the phone number: mobile numbers in United Kingdom have 11 digits, like 07400 123456. "
            "You can also start with +44.",
        ),
        ({"email": "sam@", "phone": ""}, "Enter an email address in the right format, like name@example.com"),
        ({"best_time": "midnight"}, "Select the best time to contact you"),
        ({"language": "xx"}, "Select the language you would like us to use"),
        ({"leave_message": "true"}, "Select whether it is safe to leave a message"),
        ({"say_who": None}, "Select whether we can say where we are calling from"),
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
    done = send(browser, browser.get("/reach-out"), phone="", email="Sam@Example.ORG", contact_method="email")
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


NOTHING_STORED = "Your request could not be saved. Nothing was stored. Please try again."
NOT_CONFIRMED = (
    "We could not confirm that your request was saved. Press “Send my request” again: it will not be sent twice."
)


class Dropped(sqlite3.OperationalError):
    """What a driver raises when the connection goes mid-request (SQLSTATE class 08)."""

    sqlstate = "08006"


def fail_commits(monkeypatch, database, error, *, times: int, commit_first: bool) -> list[int]:
    """The next `times` COMMITs raise `error`, after committing if `commit_first` (the answer was lost)."""
    dialect = database.engine.dialect
    real = dialect.do_commit
    calls = [0]

    def commit(dbapi_connection):
        calls[0] += 1
        if calls[0] > times:
            return real(dbapi_connection)
        if commit_first:
            real(dbapi_connection)
        raise error

    monkeypatch.setattr(dialect, "do_commit", commit)
    return calls


def post_form(browser, page, **fields):
    """POST the call-back form without following the answer, to read its status and headers."""
    data = {**VALID, **fields, "csrf_token": page.csrf_token(), "form_key": form_key(page)}
    return browser.client.post("/reach-out", data=data)


def test_a_database_that_cannot_be_reached_says_nothing_was_stored(app, browser, store, caplog):
    # The database file cannot be opened: its folder cannot exist.
    store.database = Database("sqlite:////dev/null/nowhere/wizard.sqlite3")
    page = send(browser, browser.get("/reach-out"))
    assert page.status == 503
    assert NOTHING_STORED in page.text()
    assert browser.history[-1] == "/reach-out"
    # The operator's line names the kind and the code, never the error's text.
    (line,) = [r.getMessage() for r in caplog.records if r.name == "wizard.public.views.reach_out"]
    assert line == "call-back request not stored: cannot open the file (SQLITE_CANTOPEN)"


def test_a_lost_answer_to_the_commit_asks_to_send_again_and_sending_again_is_safe(app, browser, store, monkeypatch):
    """D3: the outcome is unknown (committed, but the answer was lost): the page must not say
    "Nothing was stored", and pressing Send again must not store it twice."""
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorname = "SQLITE_IOERR_FSYNC"
    fail_commits(monkeypatch, store.database, error, times=1, commit_first=True)
    page = browser.get("/reach-out")
    failed = send(browser, page)
    assert failed.status == 503
    assert NOT_CONFIRMED in failed.text()
    assert NOTHING_STORED not in failed.text()
    assert store.count() == 1  # it was stored after all
    # The form comes back with what was typed and the same key: Send again finds the request.
    assert form_key(failed) == form_key(page)
    assert 'value="Sam"' in failed.html
    done = send(browser, failed)
    assert done.h1 == "Your request has been sent"
    assert store.count() == 1
    assert store.get(reference_on(done)).details["name"] == "Sam"


def test_a_dropped_connection_is_tried_again_with_the_same_form_key(app, browser, store, monkeypatch):
    """D5: the commit went through, the connection dropped before the answer: the retry finds
    the stored request instead of storing a second one, and the person sees the confirmation."""
    calls = fail_commits(
        monkeypatch, store.database, Dropped("server closed the connection"), times=1, commit_first=True
    )
    done = send(browser, browser.get("/reach-out"))
    assert done.h1 == "Your request has been sent"
    assert calls[0] == 2  # the dropped commit, then the retry that looked first and found it
    assert store.count() == 1
    assert store.get(reference_on(done)).details["name"] == "Sam"


def test_a_connection_that_keeps_dropping_is_tried_twice_more_then_reported(app, browser, store, monkeypatch):
    calls = fail_commits(monkeypatch, store.database, Dropped("connection reset"), times=99, commit_first=False)
    started = time.monotonic()
    failed = send(browser, browser.get("/reach-out"))
    assert time.monotonic() - started < 3, "the retries pause briefly, not for long"
    assert calls[0] == 3  # the first attempt and two retries
    assert failed.status == 503
    assert NOT_CONFIRMED in failed.text()
    monkeypatch.undo()
    assert store.count() == 0
    done = send(browser, failed)  # Send again once the database is back
    assert done.h1 == "Your request has been sent"
    assert store.count() == 1


def test_a_locked_database_is_a_bounded_wait_and_nothing_stored(app, browser, store, caplog):
    """D3: another writer holds the SQLite file: the person waits about 5 s, not 30, and
    is told the truth; the log says the database was locked."""
    path = store.database.url.split("///", 1)[1]
    page = browser.get("/reach-out")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        failed = send(browser, page)
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert 4 <= waited < 8, waited
    assert failed.status == 503
    assert NOTHING_STORED in failed.text()
    assert store.count() == 0
    assert "call-back request not stored: locked (SQLITE_BUSY)" in [r.getMessage() for r in caplog.records]
    # Once the lock is gone, the same form goes through.
    assert send(browser, failed).h1 == "Your request has been sent"
    assert store.count() == 1


def test_the_503_says_retry_in_seconds_and_carries_no_rate_limit_headers(app, browser, store, monkeypatch):
    """D10: flask-limiter put "Retry-After: 3599" on every POST, so a storage 503 told clients
    and proxies the service was down for an hour."""
    fail_commits(monkeypatch, store.database, Dropped("gone"), times=99, commit_first=False)
    failed = post_form(browser, browser.get("/reach-out"))
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "5"
    assert not [name for name, _value in failed.headers.items() if name.startswith("X-RateLimit")]
    monkeypatch.undo()
    stored = post_form(browser, browser.get("/reach-out"))
    assert stored.status_code == 303
    assert "Retry-After" not in stored.headers
    assert not [name for name, _value in stored.headers.items() if name.startswith("X-RateLimit")]


def test_failed_submissions_do_not_use_up_the_rate_limit(app_with, monkeypatch):
    """D4: ten presses of Send during an outage used to lock the person out for an hour."""
    app = app_with(database=True, CALLBACK_RATE_LIMIT="2 per hour")
    browser = Browser(app.test_client())
    store = app.extensions["services"].callbacks
    fail_commits(monkeypatch, store.database, Dropped("gone"), times=10**6, commit_first=False)
    page = browser.get("/reach-out")
    for _press in range(5):
        page = send(browser, page)
        assert page.status == 503
    # Mistakes in the form do not count either.
    assert send(browser, browser.get("/reach-out"), name="").status == 200
    monkeypatch.undo()
    # The database is back: the person's request goes through, and the limit still holds.
    assert send(browser, page).h1 == "Your request has been sent"
    assert send(browser, browser.get("/reach-out")).h1 == "Your request has been sent"
    refused = post_form(browser, browser.get("/reach-out"))
    assert refused.status_code == 429
    # A 429 is where the rate-limit headers belong.
    assert int(refused.headers["Retry-After"]) > 60
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert store.count() == 2


def test_too_many_requests_get_a_friendly_page(app_with):
    app = app_with(database=True, CALLBACK_RATE_LIMIT="2 per hour")
    browser = Browser(app.test_client())
    for _ in range(2):
        send(browser, browser.get("/reach-out"))
    page = send(browser, browser.get("/reach-out"))
    assert page.status == 429
    assert page.h1 == "Please wait before sending this again"
    # Reading the page is never limited, and help stays one tap away.
    assert browser.get("/reach-out").status == 200
    assert "/help-now" in page.html
    assert app.extensions["services"].callbacks.count() == 2


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


def test_what_one_visitor_typed_never_reaches_the_next_visitors_form(app, browser):
    # A fresh form is rendered once and kept (partials/callback_fields.html): a form sent back with
    # what someone typed is rendered for them alone, and each visitor's form has a key of its own.
    first = browser.get("/reach-out")
    sent_back = send(browser, first, name="Ariadne Typed-Here", phone="not a number", consent=None)
    assert "Ariadne Typed-Here" in sent_back.html and 'id="error-summary"' in sent_back.html
    for _ in range(2):
        # Answered as the first visitor's form was filled in (for themselves, in English): the same key.
        next_visitor = Browser(app.test_client())
        walk(next_visitor, FULL)
        later = next_visitor.get("/reach-out")
        assert 'value="myself" checked' in later.html
        assert "Ariadne Typed-Here" not in later.html and "not a number" not in later.html
        assert form_key(later) != form_key(first)
