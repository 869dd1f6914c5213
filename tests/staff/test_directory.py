"""The service directory in the staff console: the list, one listing, checks, problem reports, imports."""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy.exc import OperationalError

from tests.support.directory import a_listing
from tests.support.pages import Browser
from tests.support.staff import audit_actions
from wizard.domain.directory.listing import Phone, Site
from wizard.staff.directory import ServiceId
from wizard.storage.directory import DirectoryStore

TODAY = datetime.now(UTC).date()
FRESH = TODAY - timedelta(days=30)
STALE = TODAY - timedelta(days=800)


@pytest.fixture
def browser(staff) -> Browser:
    """alice's browser, signed in (the `staff` fixture in conftest.py)."""
    return staff[0]


def store_of(app) -> DirectoryStore:
    return app.extensions["services"].directory.store


def publish(app, *listings, publisher=None, fictional=False, source="directory.json"):
    return store_of(app).publish(list(listings), publisher=publisher, source=source, by="operator", fictional=fictional)


def listing_links(page) -> dict[str, str]:
    """Name -> address of each listing in the directory table."""
    table = page.html.split('id="listings-caption"', 1)[1]
    return {
        html.unescape(name): html.unescape(href)
        for href, name in re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a>', table)
    }


def table_rows(page) -> list[str]:
    body = page.html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", row).split())) for row in body.split("<tr>")[1:]]


def listing_address(browser, name: str) -> str:
    return listing_links(browser.get("/staff/directory"))[name]


# --- access ----------------------------------------------------------------------------------------------------------


def test_every_directory_page_needs_a_sign_in(app):
    listing = a_listing()
    publish(app, listing)
    store_of(app).report_problem(listing.id, kind="closed")
    (report,) = store_of(app).reports()
    client = app.test_client()
    token = Browser(client).get("/staff/sign-in").csrf_token()
    for url in (
        "/staff/directory",
        "/staff/directory/reports",
        "/staff/directory/imports",
        f"/staff/directory/{listing.id}",
    ):
        response = client.get(url)
        assert (response.status_code, response.location) == (303, "/staff/sign-in"), url
    for url in (f"/staff/directory/{listing.id}/checked", f"/staff/directory/reports/{report.id}/resolve"):
        response = client.post(url, data={"csrf_token": token})
        assert (response.status_code, response.location) == (303, "/staff/sign-in"), url
    assert store_of(app).get(listing.id).staff_checked_on is None
    assert [r.id for r in store_of(app).reports()] == [report.id]


def test_the_console_navigation_leads_to_the_directory(browser):
    page = browser.get("/staff")
    assert '<a href="/staff/directory">Directory</a>' in page.html
    page = browser.get("/staff/directory/imports")
    assert '<a href="/staff/directory" aria-current="page">Directory</a>' in page.html
    assert '<a href="/staff/directory/imports" aria-current="page">Imports</a>' in page.html


# --- the list --------------------------------------------------------------------------------------------------------


def test_the_list_shows_each_listing_with_what_staff_need(app, browser):
    ours = a_listing("Harbour Lane", last_checked=FRESH, subdivisions=("PT-13", "PT-11"))
    old = a_listing("Old Mill", last_checked=STALE, organization_name="Mill Trust")
    theirs = a_listing("Partner Place", country="GB", subdivisions=(), whole_country=True, last_checked=FRESH)
    publish(app, ours, old)
    publish(app, theirs, publisher="example", fictional=True, source="partner.json")
    for kind in ("closed", "wrong_number"):
        store_of(app).report_problem(old.id, kind=kind)
    page = browser.get("/staff/directory")
    assert page.h1 == "Service directory"
    assert "3 listings" in page.text()
    rows = table_rows(page)
    # By country, then name.
    assert [row.split(" ")[0] for row in rows] == ["Partner", "Harbour", "Old"]
    partner, harbour, mill = rows
    assert "Example (fictional)" in partner and "Whole country" in partner and "United Kingdom (GB)" in partner
    partner_name = app.extensions["services"].partners["example"].name
    assert f"Partner: {partner_name} (example)" in partner
    assert "Portugal (PT)" in harbour and "PT-13, PT-11" in harbour and "Operator" in harbour
    assert f"{FRESH.day} {FRESH:%B %Y}" in harbour and "Stale" not in harbour
    assert "Example (fictional)" not in harbour
    assert "Mill Trust" in mill and "Stale — not shown to the public" in mill
    assert mill.endswith(" 2") and harbour.endswith(" 0")
    assert "2 open problem reports" in page.text()


def test_search_finds_by_name_or_organisation_ignoring_case(app, browser):
    publish(
        app,
        a_listing("Harbour Lane"),
        a_listing("Old Mill", organization_name="Riverside Trust"),
        a_listing("Quay House"),
    )
    page = browser.get("/staff/directory?q=harbour")
    assert list(listing_links(page)) == ["Harbour Lane"]
    assert 'value="harbour"' in page.html
    page = browser.get("/staff/directory?q=RIVERSIDE")
    assert list(listing_links(page)) == ["Old Mill"]
    page = browser.get("/staff/directory?q=nothing+like+it")
    assert "No listing matches" in page.text()


def test_the_country_filter_offers_the_countries_listed(app, browser):
    publish(app, a_listing("In Portugal"), a_listing("In Britain", country="GB", subdivisions=()))
    page = browser.get("/staff/directory")
    assert '<option value="GB">United Kingdom (GB)</option>' in page.html
    assert '<option value="PT">Portugal (PT)</option>' in page.html
    page = browser.get("/staff/directory?country=gb")
    assert list(listing_links(page)) == ["In Britain"]
    assert '<option value="GB" selected>' in page.html
    # A forged country is ignored, not an error.
    page = browser.get("/staff/directory?country=%3Cscript%3E")
    assert page.status == 200 and len(listing_links(page)) == 2


def test_the_stale_filter_shows_what_the_public_no_longer_sees(app, browser):
    max_age = app.extensions["services"].directory.max_age_days
    on_the_edge = a_listing("On The Edge", last_checked=TODAY - timedelta(days=max_age))
    just_over = a_listing("Just Over", last_checked=TODAY - timedelta(days=max_age + 1))
    never = a_listing("Never Checked", last_checked=None)
    publish(app, on_the_edge, just_over, never, a_listing("Fresh", last_checked=FRESH))
    page = browser.get("/staff/directory?stale=1")
    assert "Only listings not checked in the last 12 months" in page.text()
    assert sorted(listing_links(page)) == ["Just Over", "Never Checked"]
    assert 'name="stale" type="checkbox" value="1" checked' in page.html
    rows = table_rows(browser.get("/staff/directory?q=on+the+edge"))
    assert "Stale" not in rows[0]


def test_the_list_has_50_a_page_and_the_pages_keep_the_filters(app, browser):
    publish(app, *[a_listing(f"Stale {n:02d}", last_checked=STALE) for n in range(53)], a_listing("Fresh"))
    page = browser.get("/staff/directory?stale=1&q=stale")
    assert len(listing_links(page)) == 50
    assert "53 listings found; page 1 of 2" in page.text()
    older = re.search(r'<a href="([^"]+)" rel="next">', page.html).group(1)
    assert html.unescape(older) == "/staff/directory?page=2&q=stale&stale=1"
    page = browser.get(html.unescape(older))
    assert list(listing_links(page)) == ["Stale 50", "Stale 51", "Stale 52"]
    assert 'rel="prev"' in page.html
    # A page past the end shows the last one; a forged page number the first.
    assert list(listing_links(browser.get("/staff/directory?stale=1&q=stale&page=9"))) == [
        "Stale 50",
        "Stale 51",
        "Stale 52",
    ]
    assert len(listing_links(browser.get("/staff/directory?page=-1"))) == 50


def test_the_search_text_is_not_logged(app, browser, caplog):
    with caplog.at_level(logging.DEBUG):
        browser.get("/staff/directory?q=Sam+Example+searching")
    assert "Sam Example" not in caplog.text
    assert not [a for a in audit_actions(app) if "Sam Example" in str(a)]


def test_an_empty_directory_says_so(browser):
    page = browser.get("/staff/directory")
    assert "The directory is empty" in page.text()


# --- one listing -----------------------------------------------------------------------------------------------------


def full_listing(**fields):
    values = {
        "name": "Harbour Lane Recovery (fictional)",
        "description": "Counselling and groups for adults.",
        "subdivisions": ("PT-13",),
        "remote": True,
        "url": "https://harbour-lane.example.org/",
        "email": "hello@harbour-lane.example.org",
        "phones": (Phone("+351220000000", "22 000 0000", "Reception"),),
        "sites": (Site("Harbour Lane", "1 Rua do Exemplo, 4000-000 Porto", 41.1496, -8.611, "Step-free entrance"),),
        "approaches": frozenset({"counselling-and-group-therapy", "no-such-approach"}),
        "attributes": frozenset({"secular", "outpatient", "cost-free"}),
        "languages": ("Portuguese", "English"),
        "hours": "Monday to Friday, 9:00 to 17:00",
        "cost": "Free for residents",
        "minimum_age": 18,
        "last_checked": FRESH,
    }
    values.update(fields)
    return a_listing(**values)


def test_the_listing_page_shows_everything_in_the_listing(app, browser):
    listing = full_listing()
    publish(app, listing)
    page = browser.get(listing_address(browser, listing.name))
    assert page.h1 == listing.name
    text = page.text()
    for expected in (
        "Example Health Trust (fictional)",
        "Counselling and groups for adults.",
        "Published by Operator",
        "1 Rua do Exemplo, 4000-000 Porto",
        "Step-free entrance",
        "22 000 0000 (Reception)",
        "Monday to Friday, 9:00 to 17:00",
        "Portuguese, English",
        "Free for residents",
        "18 and over",
        "Portugal (PT)",
        "Regions PT-13",
        "Not faith-based",
        "Live at home (outpatient)",
        "Free",
        "no-such-approach (not in the rules)",
        f"Counts as checked on {FRESH.day} {FRESH:%B %Y}",
        "Checked by staff Not yet",
        "Nobody has reported a problem with this listing.",
    ):
        assert expected in text, expected
    rulebook = app.extensions["services"].rulebook
    [approach] = [a for a in rulebook.approaches if a.id == "counselling-and-group-therapy"]
    assert str(approach.name) in text
    assert 'href="tel:+351220000000"' in page.html
    assert 'href="https://harbour-lane.example.org/" rel="noreferrer"' in page.html
    assert 'href="mailto:hello@harbour-lane.example.org"' in page.html
    assert "Stale" not in text


def test_a_website_that_is_not_a_web_address_is_not_a_link(app, browser):
    listing = full_listing(url="javascript:alert(1)")
    publish(app, listing)
    page = browser.get(listing_address(browser, listing.name))
    assert "javascript:" not in re.findall(r'href="([^"]*)"', page.html).__str__()
    assert "javascript:alert(1) (not a web address, so not linked)" in page.text()


def test_a_stale_fictional_partner_listing_says_so(app, browser):
    listing = full_listing(last_checked=STALE)
    publish(app, listing, publisher="example", fictional=True)
    page = browser.get(listing_address(browser, listing.name))
    text = page.text()
    assert "Example (fictional)" in text
    assert "Stale — not shown to the public" in text
    assert "Published by Partner: " in text and "(example)" in text


def test_an_unknown_listing_is_the_consoles_404(browser):
    for url in ("/staff/directory/no-such-id", "/staff/directory/~bm8tc3VjaA", "/staff/directory/~!!not-base64"):
        page = browser.get(url)
        assert (page.status, page.h1) == (404, "Page not found"), url
    token = browser.get("/staff/directory").csrf_token()
    response = browser.client.post("/staff/directory/no-such-id/checked", data={"csrf_token": token})
    assert response.status_code == 404


# --- mark as checked -------------------------------------------------------------------------------------------------


def test_mark_as_checked_sets_today_writes_the_audit_log_and_comes_back(app, browser):
    listing = full_listing(last_checked=STALE)
    publish(app, listing)
    address = listing_address(browser, listing.name)
    page = browser.get(address)
    assert "Stale" in page.text()
    form = re.search(r'<form method="post" action="([^"]+)"', page.html.split('id="checked-title"', 1)[1]).group(1)
    page = browser.post(html.unescape(form), data={"csrf_token": page.csrf_token()})
    # Post, redirect, get: back on the listing's page, told what happened.
    assert browser.history[-1] == address
    assert "The listing is marked as checked today." in page.text()
    assert re.search(rf"Checked by staff {TODAY.day} {TODAY:%B %Y} ?, by alice", page.text())
    assert "Marked as checked today." in page.text() and "Stale" not in page.text()
    stored = store_of(app).get(listing.id)
    assert (stored.staff_checked_on, stored.staff_checked_by) == (TODAY, "alice")
    assert stored.listing.last_checked == TODAY and stored.file_checked_on == STALE
    assert ("alice", "directory_checked", listing.id, TODAY.isoformat()) in audit_actions(app)
    # The notice is said once.
    assert "The listing is marked as checked today." not in browser.get(address).text()
    # The audit log links to the listing.
    assert f'<a href="{html.escape(address)}">{listing.id}</a>' in browser.get("/staff/audit").html


def test_mark_as_checked_without_the_form_token_changes_nothing(app, browser):
    listing = full_listing(last_checked=STALE)
    publish(app, listing)
    address = listing_address(browser, listing.name)
    browser.get(address)
    for data in ({}, {"csrf_token": "forged"}):
        response = browser.client.post(address + "/checked", data=data)
        assert response.status_code == 400
    assert store_of(app).get(listing.id).staff_checked_on is None
    assert not [a for a in audit_actions(app) if a[1] == "directory_checked"]


# --- odd service ids -------------------------------------------------------------------------------------------------

ODD_IDS = [
    "org/service/1",
    "../../staff/export",
    "a//b",
    "quote\"and'apostrophe<b>",
    "café ☕ 東京",
    "with space?and=query#fragment",
    "reports",
    "imports",
    "~tilde",
    "%2F already-encoded",
    ".",
    "-starts-with-dash",
]


@pytest.mark.parametrize("service_id", ODD_IDS)
def test_odd_service_ids_have_a_safe_page_of_their_own(app, browser, service_id):
    listing = full_listing(id=service_id, name="Odd One")
    publish(app, listing, a_listing("Other"))
    address = listing_address(browser, "Odd One")
    assert address.startswith("/staff/directory/") and "/" not in address.removeprefix("/staff/directory/")
    page = browser.get(address)
    assert page.status == 200 and page.h1 == "Odd One"
    assert f'<code class="staff-id">{escape(service_id)}</code>' in page.html
    form = re.search(r'<form method="post" action="([^"]+)"', page.html.split('id="checked-title"', 1)[1]).group(1)
    browser.post(html.unescape(form), data={"csrf_token": page.csrf_token()})
    assert browser.history[-1] == address
    assert store_of(app).get(service_id).staff_checked_on == TODAY
    assert store_of(app).get(a_listing("Other").id).staff_checked_on is None


@pytest.mark.parametrize("service_id", [*ODD_IDS, "plain-id", "0f0e2c1a-6c1b-4ad6-9d0c-2c6a3c1a5e11", "x" * 64])
def test_service_ids_go_into_addresses_and_back_unchanged(service_id):
    converter = ServiceId(None)
    segment = converter.to_url(service_id)
    assert re.fullmatch(r"[A-Za-z0-9_.~-]+", segment) and segment not in (".", "..", "reports", "imports")
    assert converter.to_python(segment) == service_id


def test_plain_ids_are_readable_in_the_address():
    assert ServiceId(None).to_url("0f0e2c1a-6c1b-4ad6") == "0f0e2c1a-6c1b-4ad6"


# --- problem reports -------------------------------------------------------------------------------------------------


def test_open_reports_are_listed_with_the_listing_linked_and_can_be_resolved(app, browser):
    listing, gone = a_listing("Harbour Lane"), a_listing("Gone Away")
    publish(app, listing, gone)
    store = store_of(app)
    store.report_problem(listing.id, kind="wrong_number", note="Rang a shop <b>instead</b>")
    store.report_problem(gone.id, kind="closed")
    publish(app, listing)  # a later import removes the other listing; its report stays
    page = browser.get("/staff/directory/reports")
    assert page.h1 == "Open problem reports"
    gone_row, harbour_row = table_rows(page)
    assert "Wrong phone number" in harbour_row and "Rang a shop <b>instead</b>" in harbour_row
    assert "Rang a shop &lt;b&gt;instead&lt;/b&gt;" in page.html
    assert "Closed or no longer running" in gone_row and "No longer in the directory" in gone_row
    assert f'<a href="/staff/directory/{listing.id}">Harbour Lane</a>' in page.html
    assert "Gone Away</a>" not in page.html
    report = next(r for r in store.reports() if r.service_id == listing.id)
    page = browser.post(f"/staff/directory/reports/{report.id}/resolve", data={"csrf_token": page.csrf_token()})
    assert browser.history[-1] == "/staff/directory/reports"
    assert "The problem report is marked as resolved." in page.text()
    assert [r.service_id for r in store.reports()] == [gone.id]
    assert ("alice", "directory_report_resolved", str(report.id), "") in audit_actions(app)
    # Resolving it again says so, and changes nothing.
    page = browser.post(f"/staff/directory/reports/{report.id}/resolve", data={"csrf_token": page.csrf_token()})
    assert "already resolved" in page.text()
    # The toggle shows the resolved ones too, with who resolved them.
    page = browser.get("/staff/directory/reports?show=all")
    assert page.h1 == "All problem reports"
    assert any("Resolved by alice" in row for row in table_rows(page))


def test_a_report_resolved_from_the_listing_page_comes_back_to_it(app, browser):
    listing = full_listing(id="org/odd id")
    publish(app, listing)
    store_of(app).report_problem(listing.id, kind="wrong_details", note="Moved to a new address")
    address = listing_address(browser, listing.name)
    page = browser.get(address)
    assert "Wrong details (address, hours or other)" in page.text() and "Moved to a new address" in page.text()
    form = page.html.split('id="reports"', 1)[1]
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', form).group(1))
    page = browser.post(action, data={"csrf_token": page.csrf_token(), "back": "listing", "service_id": listing.id})
    assert browser.history[-1] == address + "#reports"
    assert "The problem report is marked as resolved." in page.text()
    assert "Resolved by alice" in page.text()


def test_resolving_without_the_form_token_changes_nothing(app, browser):
    listing = a_listing()
    publish(app, listing)
    store_of(app).report_problem(listing.id, kind="closed")
    (report,) = store_of(app).reports()
    browser.get("/staff/directory/reports")
    assert browser.client.post(f"/staff/directory/reports/{report.id}/resolve").status_code == 400
    assert [r.id for r in store_of(app).reports()] == [report.id]


def test_no_reports_says_so(browser):
    assert "There are no open problem reports." in browser.get("/staff/directory/reports").text()


# --- imports ---------------------------------------------------------------------------------------------------------


def test_the_import_history_shows_each_import(app, browser):
    publish(app, a_listing("One"), a_listing("Two"), source="operator-2026-11.json")
    publish(app, a_listing("Three"), publisher="example", fictional=True, source="partner.json")
    store_of(app).record_failed_import(publisher=None, source="broken.json", by="sam", problems=4)
    page = browser.get("/staff/directory/imports")
    assert page.h1 == "Directory imports"
    refused, partner, ours = table_rows(page)
    assert "sam" in refused and "broken.json" in refused and "Refused : 4 problems" in refused
    assert "partner.json" in partner and "Partner: " in partner and partner.endswith("Example (fictional)")
    assert "operator-2026-11.json" in ours and "Operator" in ours and "Published 2 2 0 No" in ours


def test_no_imports_says_so(browser):
    assert "No directory file has been imported yet." in browser.get("/staff/directory/imports").text()


# --- the database down -----------------------------------------------------------------------------------------------


def fail(*_args, **_kwargs):
    raise OperationalError("SELECT ...", {}, Exception("connection refused"))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("page", "/staff/directory"),
        ("get", "/staff/directory/some-id"),
        ("reports", "/staff/directory/reports"),
        ("imports", "/staff/directory/imports"),
    ],
)
def test_a_database_outage_is_the_consoles_friendly_503(app, browser, monkeypatch, caplog, method, url):
    monkeypatch.setattr(store_of(app), method, fail)
    with caplog.at_level(logging.ERROR):
        page = browser.get(url)
    assert (page.status, page.h1) == (503, "The console cannot reach its database")
    assert page.headers["Retry-After"] == "5"
    assert "Traceback" not in page.html and "SELECT" not in page.html
    assert "SELECT" not in caplog.text and "connection refused" not in caplog.text


def test_a_database_outage_when_marking_as_checked_is_a_503(app, browser, monkeypatch):
    listing = a_listing()
    publish(app, listing)
    page = browser.get(f"/staff/directory/{listing.id}")
    monkeypatch.setattr(store_of(app), "mark_checked", fail)
    page = browser.post(f"/staff/directory/{listing.id}/checked", data={"csrf_token": page.csrf_token()})
    assert page.status == 503 and "Nothing was changed" in page.text()


def test_an_unexpected_error_is_the_consoles_500(app, browser, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(store_of(app), "page", broken)
    page = browser.get("/staff/directory")
    assert (page.status, page.h1) == (500, "Something went wrong")
    assert "a bug" not in page.html
