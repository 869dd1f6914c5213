"""Every staff address: sign-in required, security headers, and valid HTML (Nu Html Checker)."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from tests.support.answers import FULL
from tests.support.directory import a_listing
from tests.support.pages import Browser
from tests.support.site_pages import html_problems
from tests.support.staff import (
    create_account,
    enrolment_data,
    form_data,
    phone_for,
    record_data,
    submit,
    submit_password,
)

# Only the first step of signing in is open to everyone, and the enrolment link (which
# says that a link that is not a live one does not work).
OPEN_TO_ALL = {"/staff/sign-in"}
ENROLMENT_LINK = "/staff/enrol/<link>"


def staff_rules(app):
    return [rule for rule in app.site.staff.url_map.iter_rules() if rule.rule.startswith("/staff")]


def test_every_staff_address_needs_a_full_sign_in(app):
    client = app.test_client()
    browser = Browser(client)
    token = browser.get("/staff/sign-in").csrf_token()
    rules = staff_rules(app)
    assert len(rules) >= 10
    adapter = app.site.staff.url_map.bind("localhost")
    checked = []
    for rule in rules:
        url = adapter.build(rule.endpoint, {arg: "1" if arg == "report_id" else "ABCD-1234" for arg in rule.arguments})
        if rule.rule in OPEN_TO_ALL:
            assert client.get(url).status_code == 200
            continue
        if rule.rule == ENROLMENT_LINK:
            assert client.get(url).status_code == 404
            assert client.post(url, data={"csrf_token": token}).status_code == 404
            continue
        # A POST carries a valid CSRF token, so it is the sign-in check that answers.
        get = "GET" in rule.methods
        response = client.get(url) if get else client.post(url, data={"csrf_token": token})
        if response.status_code in (302, 303, 307):
            assert response.location == "/staff/sign-in", url
        else:
            assert response.status_code in (401, 403, 405), (url, response.status_code)
        checked.append(url)
    assert "/staff/export.csv" in checked and "/staff/requests/ABCD-1234/handled" in checked
    assert "/staff/enrol/qr.svg" in checked and "/staff/sign-in/code" in checked
    assert {"/staff/guide", "/staff/guide/results", "/staff/guide/record"} <= set(checked)
    assert {"/staff/account", "/staff/account/password", "/staff/account/sign-out-others"} <= set(checked)
    assert {
        "/staff/directory",
        "/staff/directory/ABCD-1234",
        "/staff/directory/ABCD-1234/checked",
        "/staff/directory/reports",
        "/staff/directory/reports/1/resolve",
        "/staff/directory/imports",
    } <= set(checked)


def test_the_console_is_not_offered_inside_a_partners_frame(app):
    assert not [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("embed_staff")]
    assert app.test_client().get("/embed/example/staff").status_code == 404


def signed_in_pages(app) -> tuple[Browser, dict[str, str]]:
    """Sign in (collecting each step's page) and visit every page of the console."""
    link = create_account(app)
    browser = Browser(app.test_client())
    pages: dict[str, object] = {}
    pages["sign-in"] = browser.get("/staff/sign-in")
    pages["sign-in-error"] = submit_password(browser, "alice", "wrong password here")
    pages["enrol-unavailable"] = browser.get("/staff/enrol/" + "x" * 43)
    pages["enrol"] = page = browser.get(link)
    phone = phone_for(browser, page)
    pages["enrol-error"] = page = browser.post(
        link, data={"csrf_token": page.csrf_token(), "password": "short", "password_again": "", "code": "1"}
    )
    pages["inbox-empty"] = browser.post(link, data=enrolment_data(page, phone))
    pages["account"] = page = browser.get("/staff/account")
    pages["password"] = page = browser.get("/staff/account/password")
    pages["password-error"] = browser.post(
        "/staff/account/password",
        data={"csrf_token": page.csrf_token(), "current_password": "x", "new_password": "y", "new_password_again": "z"},
    )
    references = [submit(app, n) for n in range(52)]
    pages["inbox"] = browser.get("/staff")
    pages["inbox-page-2"] = browser.get("/staff?page=2")
    pages["search"] = browser.get(f"/staff?reference={references[0].lower()}")
    pages["search-nothing"] = browser.get("/staff?reference=nothing")
    pages["detail"] = page = browser.get(f"/staff/requests/{references[0]}")
    pages["detail-error"] = browser.post(
        f"/staff/requests/{references[0]}/handled", data={"csrf_token": page.csrf_token(), "note": "x" * 1001}
    )
    pages["detail-handled"] = browser.post(
        f"/staff/requests/{references[0]}/handled", data={"csrf_token": page.csrf_token(), "note": "Done."}
    )
    pages["export"] = browser.get("/staff/export")
    pages["directory-empty"] = browser.get("/staff/directory")
    pages["directory-reports-empty"] = browser.get("/staff/directory/reports")
    pages["directory-imports-empty"] = browser.get("/staff/directory/imports")
    store = app.extensions["services"].directory.store
    listings = [
        a_listing(f"Service {n:02d}", id=f"org/service {n}", last_checked=date(2020, 1, 1) if n % 2 else None)
        for n in range(52)
    ]
    store.publish(listings, publisher="example", source="directory.json", by="operator", fictional=True)
    store.record_failed_import(publisher=None, source="broken.json", by="operator", problems=3)
    store.report_problem(listings[0].id, kind="wrong_number", note="Rang a shop.")
    store.report_problem(listings[1].id, kind="closed")
    pages["directory"] = page = browser.get("/staff/directory?stale=1&country=PT&q=service")
    pages["directory-page-2"] = browser.get("/staff/directory?page=2")
    pages["directory-nothing"] = browser.get("/staff/directory?q=nothing")
    address = html.unescape(re.search(r'<th scope="row"><a href="(/staff/directory/[^"]+)">', page.html).group(1))
    pages["directory-listing"] = page = browser.get(address)
    pages["directory-checked"] = browser.post(address + "/checked", data={"csrf_token": page.csrf_token()})
    pages["directory-reports"] = page = browser.get("/staff/directory/reports")
    (report, _other) = store.reports()
    pages["directory-resolved"] = browser.post(
        f"/staff/directory/reports/{report.id}/resolve", data={"csrf_token": page.csrf_token()}
    )
    pages["directory-reports-all"] = browser.get("/staff/directory/reports?show=all")
    pages["directory-imports"] = browser.get("/staff/directory/imports")
    pages["directory-not-found"] = browser.get("/staff/directory/no-such-listing")
    pages["audit"] = browser.get("/staff/audit")
    pages["guide"] = page = browser.get("/staff/guide")
    token = page.csrf_token()
    pages["guide-error"] = browser.post("/staff/guide", data=form_data({"who": "someone_else"}, csrf_token=token))
    pages["guide-crisis"] = browser.post(
        "/staff/guide", data=form_data({**FULL, "danger": "danger_now"}, csrf_token=token)
    )
    pages["guide-full"] = page = browser.post(
        "/staff/guide", data=form_data(FULL, csrf_token=token, person_language="ar")
    )
    pages["guide-record-error"] = browser.post("/staff/guide/record", data=record_data(page, note="x" * 1001))
    pages["conversation"] = browser.post("/staff/guide/record", data=record_data(page, consent="yes", note="Done."))
    pages["not-found"] = browser.get("/staff/requests/ZZZZ-ZZZZ")
    pages["not-allowed"] = browser.get("/staff/sign-out")
    pages["csrf"] = browser.post("/staff/sign-out", data={"csrf_token": "forged"})
    pages["signed-out"] = browser.post("/staff/sign-out", data={"csrf_token": page.csrf_token()})
    page = submit_password(browser)
    pages["code"] = page
    pages["code-error"] = browser.post("/staff/sign-in/code", data={"csrf_token": page.csrf_token(), "code": "x"})
    return browser, {name: page.html for name, page in pages.items()}


def test_every_staff_page_is_private_and_cannot_be_framed(app):
    link = create_account(app)
    client = app.test_client()
    browser = Browser(client)
    responses = [client.get("/staff/sign-in"), client.get(link), client.get("/staff/enrol/qr.svg")]
    page = browser.get(link)
    browser.post(link, data=enrolment_data(page, phone_for(browser, page)))
    responses += [client.get("/staff/account"), client.get("/staff/account/password")]
    reference = submit(app)
    for url in (
        "/staff",
        "/staff?status=all",
        f"/staff/requests/{reference}",
        "/staff/export",
        "/staff/export.csv?status=all",
        "/staff/audit",
        "/staff/requests/ZZZZ-ZZZZ",
    ):
        responses.append(client.get(url))
    assert {r.status_code for r in responses} == {200, 404}
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_every_staff_page_is_valid_html(app, tmp_path: Path):
    _browser, pages = signed_in_pages(app)
    problems = html_problems({f"staff-{name}": html for name, html in pages.items()}, tmp_path)
    assert problems == [], "\n".join(problems)
    assert len(pages) >= 38
