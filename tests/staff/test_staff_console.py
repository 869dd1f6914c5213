"""The staff console's pages once signed in: inbox, request details, handling, export, audit log."""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL
from tests.support.staff import (
    audit_actions,
    error_summary,
    export,
    read_csv,
    references_on,
    submit,
)
from wizard.storage.callbacks import REFERENCE_ALPHABET

PERSONAL = ("Sam Example", "7911", "sam@example.org", "Evenings are hard", "Please text first")


@pytest.fixture
def browser(staff):
    return staff[0]


# --- the inbox ----------------------------------------------------------------------------------------------------


def test_the_inbox_lists_open_requests_newest_first(app, browser):
    first, second, third = (submit(app, n) for n in range(3))
    app.extensions["services"].callbacks.mark_handled(second, staff="alice", note="")
    page = browser.get("/staff")
    assert page.h1 == "Open call-back requests"
    assert page.title.startswith("Open call-back requests")
    assert references_on(page) == [third, first]
    assert "Sam Example" in page.text() and "+44 7911 123456" in page.text()
    assert 'aria-current="page">Open (2)' in page.html
    assert references_on(browser.get("/staff?status=handled")) == [second]
    assert references_on(browser.get("/staff?status=all")) == [third, second, first]
    # A forged filter shows the open requests rather than failing.
    assert references_on(browser.get("/staff?status=%27%3Bdrop")) == [third, first]
    logged = [a for a in audit_actions(app) if a[1] == "viewed inbox"]
    filters = ["open", "handled", "all", "open"]
    assert [a[3] for a in logged[-4:]] == [f"filter: {name}, page 1" for name in filters]


def test_the_inbox_table_is_labelled_and_scrolls_inside_a_focusable_region(app, browser):
    submit(app)
    page = browser.get("/staff")
    assert re.search(
        r'<div class="staff-table" role="region" aria-labelledby="requests-caption" tabindex="0">', page.html
    )
    assert '<caption id="requests-caption">' in page.html
    assert page.html.count('<th scope="col">') == 6


def test_search_by_reference_ignores_case_and_dashes_and_finds_handled_ones(app, browser):
    wanted, other = submit(app, 0), submit(app, 1)
    app.extensions["services"].callbacks.mark_handled(wanted, staff="alice", note="")
    typed = wanted.replace("-", " ").lower()
    page = browser.get(f"/staff?reference={typed}")
    assert page.h1 == "Search results"
    assert references_on(page) == [wanted]
    assert other not in page.html
    nothing = browser.get("/staff?reference=ZZZZ-ZZZZ")
    assert references_on(nothing) == [] and "No request has that reference" in nothing.text()
    # Something that is not a reference (a name typed by mistake) is not written to the log.
    browser.get("/staff?reference=Sam+Example")
    details = [a[3] for a in audit_actions(app) if a[1] == "viewed inbox"]
    assert f"search: {wanted}" in details and "search: not a reference" in details
    assert not [d for d in details if "Sam" in d]


def test_the_inbox_shows_50_requests_a_page(app, browser):
    made = [submit(app, n) for n in range(51)]
    page = browser.get("/staff")
    assert len(references_on(page)) == 50
    assert references_on(page)[0] == made[-1]
    assert "Page 1 of 2" in page.text()
    page = browser.get("/staff?page=2")
    assert references_on(page) == [made[0]]
    assert 'rel="prev"' in page.html and 'rel="next"' not in page.html
    # Odd page numbers land on a real page.
    for odd in ("0", "-1", "abc", "99999999999999999999", "٣"):
        assert browser.get(f"/staff?page={odd}").status == 200, odd
    assert references_on(browser.get("/staff?page=99")) == [made[0]]


# --- one request --------------------------------------------------------------------------------------------------


def test_the_detail_page_shows_every_field_in_plain_english(app, browser):
    reference = submit(app, partner="example")
    page = browser.get(f"/staff/requests/{reference}")
    assert page.h1 == f"Request {reference}"
    text = page.text()
    for expected in (
        "Sam Example",
        "+44 7911 123456",
        "sam@example.org",
        "How to contact Text message",
        "Best time to contact Evening",
        "Language to use Spanish",
        "Safe to leave a message No",
        "Can say who is calling Yes",
        "Help is for Someone else",
        "The person who needs help: contact them (they have agreed)",
        "Evenings are hard. Please text first.",
        "Status Open",
    ):
        assert expected in text, expected
    assert 'href="tel:+447911123456"' in page.html and 'href="mailto:sam@example.org"' in page.html
    assert "Partner site: " in text
    assert "which they used in Spanish" in text
    assert ("alice", "viewed", reference, "") in audit_actions(app)


def test_a_text_message_request_says_so_in_the_inbox_and_another_language_is_named(app, browser):
    reference = submit(app)
    assert "Text message" in browser.get("/staff").text()
    services = app.extensions["services"]
    other = services.callbacks.submit(
        {"name": "Ana", "phone": "+351912345678", "contact_method": "call", "language": "other", "summary": {}},
        form_key="another-language-form-0001",
    )[0]
    text = browser.get(f"/staff/requests/{other}").text()
    assert "Language to use Another language (named in the message)" in text and "How to contact Phone call" in text
    assert reference != other


def test_the_answers_summary_uses_the_questions_and_english_labels(app, browser):
    reference = submit(app)
    page = browser.get(f"/staff/requests/{reference}")
    journey = app.extensions["services"].journey
    rows = re.findall(
        r'<div class="summary-list__row"><dt class="summary-list__key">([^<]+)</dt><dd>([^<]*)</dd></div>', page.html
    )
    shown = dict(rows)
    for question in journey.questions:
        if question.id not in FULL:
            continue
        labels = journey.answer_labels(question, FULL[question.id], "myself")
        assert shown[question.summary.replace("'", "&#39;")] == ", ".join(labels).replace("'", "&#39;"), question.id
    assert "United Kingdom" in page.text()
    # The approaches by name, best match first.
    matcher = app.extensions["services"].matcher
    names = [m.approach.name for m in matcher.match(FULL).approaches]
    listed = re.findall(r"<li>([^<]+)</li>", page.html.split("Approaches they were shown", 1)[1].split("</ol>", 1)[0])
    assert listed == names and names


def test_an_unknown_reference_is_a_staff_404(browser):
    for url in ("/staff/requests/ZZZZ-ZZZZ", "/staff/requests/%00%ff", "/staff/requests/" + "A" * 300, "/staff/nope"):
        page = browser.get(url)
        assert page.status == 404, url
        assert page.h1 == "Page not found"
        assert "Signed in as alice" in page.text() or url == "/staff/nope"
        assert "quick-exit" not in page.html


def test_marking_a_request_handled_with_a_note(app, browser):
    reference = submit(app)
    page = browser.get(f"/staff/requests/{reference}")
    label = re.search(r'<label class="label" for="note">([^<]+)</label>', page.html)
    assert label and label.group(1) == "Note (optional)"
    page = browser.post(
        f"/staff/requests/{reference}/handled",
        data={"csrf_token": page.csrf_token(), "note": "Called back; they will come on Tuesday."},
    )
    assert browser.history[-1] == f"/staff/requests/{reference}"
    assert "The request is marked as handled." in page.text()
    text = page.text()
    assert "Status Handled" in text and "Handled by alice" in text
    assert "Called back; they will come on Tuesday." in text
    assert "Mark as handled" not in text
    stored = app.extensions["services"].callbacks.get(reference)
    assert stored.status == "handled" and stored.handled_by == "alice"
    assert stored.note == "Called back; they will come on Tuesday."
    assert references_on(browser.get("/staff")) == []
    assert references_on(browser.get("/staff?status=handled")) == [reference]
    assert ("alice", "handled", reference, "") in audit_actions(app)
    # Posting again changes nothing.
    again = browser.post(f"/staff/requests/{reference}/handled", data={"csrf_token": page.csrf_token(), "note": "x"})
    assert again.status == 200 and app.extensions["services"].callbacks.get(reference).note.startswith("Called back")


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 1001, "The note must be 1,000 characters or fewer"),
        ("bell \x07 here", "The note must not contain special control characters"),
        ("escape \x1b[31m", "The note must not contain special control characters"),
    ],
)
def test_a_bad_note_is_explained_and_nothing_changes(app, browser, note, message):
    reference = submit(app)
    page = browser.get(f"/staff/requests/{reference}")
    page = browser.post(f"/staff/requests/{reference}/handled", data={"csrf_token": page.csrf_token(), "note": note})
    assert page.title.startswith(f"Error: Request {reference}")
    assert message in error_summary(page)
    assert 'href="#note"' in page.html and 'id="note-error"' in page.html
    assert app.extensions["services"].callbacks.get(reference).status == "open"
    # What was typed comes back, without the invisible characters.
    assert note.replace("\x07", "").replace("\x1b", "")[:50] in page.html


def test_a_note_may_have_line_breaks_and_be_exactly_1000_characters(app, browser):
    reference = submit(app)
    page = browser.get(f"/staff/requests/{reference}")
    note = "a\r\nb" + "c" * 997
    browser.post(f"/staff/requests/{reference}/handled", data={"csrf_token": page.csrf_token(), "note": note})
    assert app.extensions["services"].callbacks.get(reference).note == "a\nb" + "c" * 997


def test_an_oversized_form_is_a_413(app, browser):
    reference = submit(app)
    page = browser.get(f"/staff/requests/{reference}")
    page = browser.post(
        f"/staff/requests/{reference}/handled", data={"csrf_token": page.csrf_token(), "note": "x" * 40_000}
    )
    assert page.status == 413
    assert page.h1 == "That was too much information"
    assert app.extensions["services"].callbacks.get(reference).status == "open"


# --- export -------------------------------------------------------------------------------------------------------


def test_the_export_page_offers_each_filter(app, browser):
    submit(app)
    page = browser.get("/staff/export")
    assert page.h1 == "Export requests"
    assert page.parsed.forms[-1] == {"action": "/staff/export.csv", "method": "post"}
    for code in ("open", "handled", "all"):
        assert f'id="status-{code}" name="status" value="{code}"' in page.html


def test_the_csv_export_has_what_staff_need(app, staff):
    reference = submit(app, 0)
    handled = submit(app, 1, name="Alex", phone="+33612345678", email="", for_whom="myself", whose_details=None)
    app.extensions["services"].callbacks.mark_handled(handled, staff="alice", note="Spoke to Alex.")
    response = export(app, staff, "all")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="callback-requests-all-')
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = read_csv(response)
    assert header == [
        "Reference",
        "Received (UTC)",
        "Status",
        "Kind",
        "Name",
        "Phone",
        "Email",
        "How to contact",
        "Best time to contact",
        "Language",
        "Safe to leave a message",
        "Can say who is calling",
        "Help is for",
        "Whose contact details",
        "Message",
        "Partner site",
        "Handled by",
        "Handled at (UTC)",
        "Note",
    ]
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_reference) == [handled, reference]
    sam = by_reference[reference]
    assert sam["Status"] == "Open" and sam["Name"] == "Sam Example" and sam["Email"] == "sam@example.org"
    assert sam["Kind"] == "Call-back request"
    # A phone number starts with "+", so it is written so a spreadsheet cannot run it.
    assert sam["Phone"] == "'+44 7911 123456"
    assert sam["Best time to contact"] == "Evening" and sam["Language"] == "Spanish"
    assert sam["How to contact"] == "Text message"
    assert sam["Safe to leave a message"] == "No" and sam["Can say who is calling"] == "Yes"
    assert sam["Help is for"] == "Someone else" and sam["Message"] == "Evenings are hard.\nPlease text first."
    alex = by_reference[handled]
    assert alex["Status"] == "Handled" and alex["Handled by"] == "alice" and alex["Note"] == "Spoke to Alex."
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", alex["Handled at (UTC)"]) and alex["Whose contact details"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", sam["Received (UTC)"])
    assert read_csv(export(app, staff, "open"))[1][0] == reference
    assert read_csv(export(app, staff, "handled"))[1][0] == handled
    # A forged filter exports the open requests.
    assert [row[0] for row in read_csv(export(app, staff, "evil"))[1:]] == [reference]
    exported = [a for a in audit_actions(app) if a[1] == "exported"]
    counts = ["all: 2", "open: 1", "handled: 1", "open: 1"]
    assert [a[3] for a in exported] == [f"{count} request(s); reason: weekly call-back list" for count in counts]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_cannot_become_formulas(app, staff, start):
    submit(app, name=f'{start}HYPERLINK("http://evil.example","x")', message=f"{start}1+1")
    _header, row = read_csv(export(app, staff))
    assert row[4] == f'\'{start}HYPERLINK("http://evil.example","x")'
    assert row[14] == f"'{start}1+1"


# --- the audit log ------------------------------------------------------------------------------------------------


def test_the_audit_page_lists_who_did_what_to_which_request(app, staff):
    browser = staff[0]
    reference = submit(app)
    page = browser.get(f"/staff/requests/{reference}")
    browser.post(f"/staff/requests/{reference}/handled", data={"csrf_token": page.csrf_token(), "note": "Done"})
    export(app, staff, "handled")
    page = browser.get("/staff/audit")
    assert page.h1 == "Audit log"
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page.html, re.S)
    cells = [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.split(r"</t[hd]>", row)][:5] for row in rows]
    # Newest first: when, who, what, which reference, details.
    assert [c[1:4] for c in cells[:5]] == [
        ["alice", "Exported", ""],
        ["alice", "Viewed", reference],  # the page shown after marking it handled
        ["alice", "Handled", reference],
        ["alice", "Viewed", reference],
        ["alice", "Viewed inbox", ""],
    ]
    assert cells[0][4] == "handled: 1 request(s); reason: weekly call-back list"
    assert cells[0][0].endswith("UTC")
    assert f'<a href="/staff/requests/{reference}">{reference}</a>' in page.html
    assert ["alice", "Signed in", ""] in [c[1:4] for c in cells]
    assert ["command line", "Account created", "alice"] in [c[1:4] for c in cells]


def test_the_audit_log_holds_no_personal_data(app, staff):
    browser = staff[0]
    reference = submit(app)
    browser.get(f"/staff?reference={reference}")
    browser.get("/staff?reference=Sam Example")
    page = browser.get(f"/staff/requests/{reference}")
    browser.post(f"/staff/requests/{reference}/handled", data={"csrf_token": page.csrf_token(), "note": "Sam Example"})
    export(app, staff, "all")
    logged = " ".join(" ".join(str(part) for part in event) for event in audit_actions(app))
    for personal in (*PERSONAL, "Sam"):
        assert personal not in logged


def test_references_in_urls_are_only_ever_from_the_reference_alphabet(app, browser):
    # A sanity check on the links the console builds.
    reference = submit(app)
    assert set(reference.replace("-", "")) <= set(REFERENCE_ALPHABET)
    assert f'href="/staff/requests/{reference}"' in browser.get("/staff").html
