"""Regression tests for the staff inbox findings of the security review: each reproduces the attack.

L5: a requester's email cannot add a subject or body to the mailto: link staff click.
L9: one unreadable sealed row (moved value, removed key) does not break the inbox, export or pages.
L12: bulk export is a POST with a reason and a fresh authenticator code, recorded in the audit log.
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import text

from tests.support.site_pages import html_problems
from tests.support.staff import DETAILS, audit_actions, export, fresh_code, read_csv, references_on, submit
from wizard.cli import main
from wizard.staff.presenters import UNREADABLE, mailto_href
from wizard.storage import Sealer
from wizard.storage.callbacks import CallbackStore
from wizard.storage.crypto import new_key


@pytest.fixture
def browser(staff):
    """alice's browser, signed in (the `staff` fixture in conftest.py)."""
    return staff[0]


ATTACK_EMAIL = "x?subject=Urgent&body=call+this+number@example.org"


# --- L5: mailto parameter injection -------------------------------------------------------------------------------


def mailto_links(page) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="(mailto:[^"]*)"', page.html)]


def test_an_email_address_cannot_add_a_subject_or_body_to_the_mailto_link(app, browser):
    reference = submit(app, email=ATTACK_EMAIL)
    page = browser.get(f"/staff/requests/{reference}")
    [href] = mailto_links(page)
    # A mail program reads everything after "?" as fields: there must be none.
    assert urlsplit(href).query == ""
    assert "?" not in href and "&" not in href and "=" not in href
    assert href == "mailto:x%3Fsubject%3DUrgent%26body%3Dcall%2Bthis%2Bnumber@example.org"
    # The link still addresses exactly what the person typed, and shows it as typed.
    assert unquote(href.removeprefix("mailto:")) == ATTACK_EMAIL
    assert f'<bdi dir="ltr">{html.escape(ATTACK_EMAIL)}</bdi>' in page.html


@pytest.mark.parametrize(
    ("email", "href"),
    [
        ("sam@example.org", "mailto:sam@example.org"),
        ("sam+tag@example.org", "mailto:sam%2Btag@example.org"),
        ('"a@b"@example.org', "mailto:%22a%40b%22@example.org"),
        ("x#frag@example.org", "mailto:x%23frag@example.org"),
        ("josé@exämple.org", "mailto:jos%C3%A9@ex%C3%A4mple.org"),
    ],
)
def test_mailto_links_encode_the_local_part_and_keep_the_at_sign(email, href):
    assert mailto_href(email) == href


# --- L9: one unreadable sealed row --------------------------------------------------------------------------------


def copy_sealed_value(app, source: str, target: str) -> None:
    """What the review did: a database writer copies one request's sealed value onto another."""
    with app.extensions["services"].database.transaction() as session:
        sealed = session.execute(
            text("SELECT sealed FROM callback_requests WHERE reference = :r"), {"r": source}
        ).scalar_one()
        session.execute(
            text("UPDATE callback_requests SET sealed = :s WHERE reference = :r"), {"s": bytes(sealed), "r": target}
        )


def assert_every_staff_view_copes(app, staff, intact: str, broken: str, caplog) -> None:
    browser = staff[0]
    with caplog.at_level(logging.ERROR, logger="wizard.storage.callbacks"):
        inbox = browser.get("/staff")
        assert inbox.status == 200
        assert references_on(inbox) == [broken, intact]
        assert f"{UNREADABLE} Reference {broken}" in inbox.text()
        assert inbox.text().count("Sam Example") == 1  # the intact request, once

        assert browser.get(f"/staff/requests/{intact}").status == 200
        page = browser.get(f"/staff/requests/{broken}")
        assert page.status == 200
        assert f"{UNREADABLE} Reference {broken}." in page.text()
        assert "Sam Example" not in page.text() and "Contact details" not in page.text()

        response = export(app, staff, "all")
        assert response.status_code == 200
        header, *rows = read_csv(response)
        by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
        assert by_reference[broken]["Kind"] == UNREADABLE and by_reference[broken]["Name"] == ""
        assert by_reference[intact]["Name"] == "Sam Example"
    # Each look is logged at ERROR with the reference, and nothing personal.
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all(broken in message for message in errors)
    assert not [m for m in errors if intact in m or "Sam" in m or "example.org" in m]


def test_a_sealed_value_moved_onto_another_request_breaks_nothing_but_that_request(app, staff, caplog):
    intact, broken = submit(app, 0), submit(app, 1, name="Other Person")
    copy_sealed_value(app, intact, broken)
    assert_every_staff_view_copes(app, staff, intact, broken, caplog)
    # The refused value is not shown as the other request's details either.
    assert "Other Person" not in staff[0].get("/staff").text()


def test_a_request_sealed_with_a_removed_key_breaks_nothing_but_that_request(app, staff, caplog):
    intact = submit(app, 0)
    # Sealed with a key that is no longer in DATA_KEYS (removed while this request was open).
    removed_key = CallbackStore(app.extensions["services"].database, Sealer([new_key()]))
    broken, _new = removed_key.submit({**DETAILS, "summary": {}}, form_key="removed-key-form-0001")
    assert_every_staff_view_copes(app, staff, intact, broken, caplog)


def test_an_unreadable_request_can_still_be_marked_handled(app, browser):
    intact, broken = submit(app, 0), submit(app, 1)
    copy_sealed_value(app, intact, broken)
    page = browser.get(f"/staff/requests/{broken}")
    page = browser.post(
        f"/staff/requests/{broken}/handled", data={"csrf_token": page.csrf_token(), "note": "Could not be opened."}
    )
    assert page.status == 200 and "Status Handled" in page.text()
    assert app.extensions["services"].callbacks.get(broken, mark_unreadable=True).status == "handled"


def test_check_keys_lists_the_open_requests_no_configured_key_can_open(app, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("DATA_KEYS", app.config["DATA_KEYS"])
    intact, moved = submit(app, 0), submit(app, 1)

    with pytest.raises(SystemExit) as finished:
        main(["requests", "check-keys"])
    assert finished.value.code == 0
    assert "Keys OK: every open request can be opened." in capsys.readouterr().out

    copy_sealed_value(app, intact, moved)
    removed_key = CallbackStore(app.extensions["services"].database, Sealer([new_key()]))
    lost, _new = removed_key.submit({**DETAILS, "summary": {}}, form_key="removed-key-form-0002")
    with pytest.raises(SystemExit) as finished:
        main(["requests", "check-keys"])
    assert finished.value.code == 1
    err = capsys.readouterr().err
    assert "2 open request(s) cannot be opened with the configured keys" in err
    assert f"{lost}: sealed value cannot be opened with the configured keys" in err
    assert f"{moved}: sealed value belongs to another record" in err
    assert intact not in err and "Sam" not in err

    # Handled requests no longer need their key: only open ones are counted.
    app.extensions["services"].callbacks.mark_handled(lost, staff="alice", note="")
    app.extensions["services"].callbacks.mark_handled(moved, staff="alice", note="")
    with pytest.raises(SystemExit) as finished:
        main(["requests", "check-keys"])
    assert finished.value.code == 0


# --- L12: bulk export needs a POST, a reason and a fresh code -----------------------------------------------------


def no_personal_data(body: str) -> bool:
    return "Sam Example" not in body and "sam@example.org" not in body and "7911" not in body


def test_a_get_of_the_export_address_gives_the_form_and_never_data(app, browser):
    submit(app)
    for url in ("/staff/export.csv", "/staff/export.csv?status=all", "/staff/export.csv?status=handled"):
        page = browser.get(url)
        assert page.status == 200 and page.headers["Content-Type"].startswith("text/html"), url
        assert page.h1 == "Export requests"
        assert page.parsed.forms[-1] == {"action": "/staff/export.csv", "method": "post"}
        assert no_personal_data(page.html)
    assert "exported" not in [a[1] for a in audit_actions(app)]


def refused(response) -> bool:
    return getattr(response, "mimetype", "text/html") == "text/html" and no_personal_data(response.html)


def test_an_export_without_the_code_or_with_a_wrong_code_is_refused(app, staff):
    submit(app)
    page = export(app, staff, "all", code="")
    assert refused(page)
    assert page.title.startswith("Error: Export requests")
    assert "Enter the code your authenticator app shows now" in page.text()

    right = fresh_code(app, staff[1])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    page = export(app, staff, "all", code=wrong)
    assert refused(page)
    assert "The code is not right" in page.text()
    # What was asked and why is kept for the next try; the code is not.
    assert (
        'value="weekly call-back list"' in page.html
        and 'id="status-all" name="status" value="all" checked' in page.html
    )

    page = export(app, staff, "all", code="abc")
    assert refused(page)

    actions = audit_actions(app)
    assert "exported" not in [a[1] for a in actions]
    assert ("alice", "export refused", None, "all: wrong code") in actions
    # A wrong code counts towards the lockout, as at sign-in.
    assert any(a[:2] == ("alice", "code refused") and a[3].startswith("wrong code") for a in actions)


def test_an_export_needs_a_short_one_line_reason(app, staff):
    submit(app)
    for reason, message in (
        ("", "Enter why you need this export"),
        ("   ", "Enter why you need this export"),
        ("x" * 151, "The reason must be 150 characters or fewer"),
        ("two\nlines", "The reason must be one line"),
        ("bell \x07", "The reason must be one line"),
    ):
        page = export(app, staff, "all", reason=reason)
        assert refused(page), reason
        assert message in page.text(), reason
    assert "exported" not in [a[1] for a in audit_actions(app)]


def test_an_export_without_the_form_token_is_refused(app, staff):
    submit(app)
    browser, phone = staff
    response = browser.client.post(
        "/staff/export.csv", data={"status": "all", "reason": "weekly", "code": fresh_code(app, phone)}
    )
    assert response.status_code == 400
    assert no_personal_data(response.get_data(as_text=True))


def test_an_export_with_a_reason_and_a_fresh_code_is_recorded_with_both(app, staff):
    submit(app, 0)
    submit(app, 1)
    response = export(app, staff, "all", reason="Monthly check with the clinical lead")
    assert response.status_code == 200 and len(read_csv(response)) == 3
    assert ("alice", "exported", None, "all: 2 request(s); reason: Monthly check with the clinical lead") in (
        audit_actions(app)
    )


def test_a_code_used_for_one_export_cannot_be_used_for_another(app, staff):
    submit(app)
    code = fresh_code(app, staff[1])
    assert export(app, staff, "all", code=code).status_code == 200
    again = export(app, staff, "all", code=code)
    assert refused(again) and "The code is not right" in again.text()
    assert [a[1] for a in audit_actions(app)].count("exported") == 1


def test_wrong_export_codes_lock_the_account(app, staff):
    submit(app)
    attempts = app.config["STAFF_LOCKOUT_ATTEMPTS"]
    for _ in range(attempts - 1):
        assert "The code is not right" in export(app, staff, "all", code="000000").text()
    page = export(app, staff, "all", code="000000")
    assert "the account is locked" in page.text()
    # Even the right code is refused while the account is locked.
    page = export(app, staff, "all")
    assert refused(page) and "the account is locked" in page.text()
    assert ("alice", "export refused", None, "all: account locked") in audit_actions(app)
    assert "exported" not in [a[1] for a in audit_actions(app)]


# --- the pages these changes add are valid HTML -------------------------------------------------------------------


def test_the_new_and_changed_pages_are_valid_html(app, staff, tmp_path):
    browser = staff[0]
    intact, broken = submit(app, 0, email=ATTACK_EMAIL), submit(app, 1)
    copy_sealed_value(app, intact, broken)
    app.extensions["services"].callbacks.mark_handled(broken, staff="alice", note="")
    pages = {
        "inbox-unreadable": browser.get("/staff?status=all"),
        "detail-unreadable": browser.get(f"/staff/requests/{broken}"),
        "detail-mailto": browser.get(f"/staff/requests/{intact}"),
        "export-get-old-address": browser.get("/staff/export.csv?status=all"),
        "export-errors": export(app, staff, "all", reason="", code=""),
        "export-wrong-code": export(app, staff, "all", code="000000"),
    }
    problems = html_problems({f"staff-{name}": page.html for name, page in pages.items()}, tmp_path)
    assert problems == [], "\n".join(problems)
