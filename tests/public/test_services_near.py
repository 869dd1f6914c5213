"""Services from the directory on the results page, and "report a problem with this listing"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from tests.support.answers import FULL
from tests.support.directory import a_listing
from tests.support.journey import walk
from tests.support.pages import Browser
from wizard.domain.directory.listing import Phone
from wizard.platform.services import services

pytestmark = pytest.mark.app_settings(database=True, DIRECTORY_SHOW_EXAMPLES=False)
TODAY = datetime.now(UTC).date()


def publish(app, *listings, fictional=False, publisher=None):
    with app.app_context():
        services().directory.store.publish(
            list(listings), publisher=publisher, source="test", by="test", fictional=fictional
        )


def reports(app):
    with app.app_context():
        return services().directory.store.reports(open_only=False)


def national(name, **fields):
    """A telephone service for the whole of Great Britain offering the approaches FULL gets."""
    values = {
        "country": "GB",
        "subdivisions": (),
        "sites": (),
        "whole_country": True,
        "remote": True,
        "approaches": frozenset({"peer-support-and-mentoring", "naloxone", "counselling-and-group-therapy"}),
        "attributes": frozenset({"secular", "outpatient", "cost-free"}),
        "phones": (Phone("+442079460000", "020 7946 0000", "Helpdesk"),),
        "url": "https://line.example.org/",
        "last_checked": TODAY - timedelta(days=10),
    }
    values.update(fields)
    return a_listing(name, **values)


@pytest.fixture
def results(app, browser):
    def open_results(answers=FULL):
        walk(browser, answers)
        return browser.get("/results")

    return open_results


def test_a_service_for_the_place_is_shown_with_why_how_to_reach_it_and_when_checked(app, results):
    publish(app, national("Greenway Line"))
    page = results()
    text = page.text()
    assert "Services near you" in text
    assert "Greenway Line" in text
    assert 'href="tel:+442079460000"' in page.html
    assert 'href="https://line.example.org/"' in page.html
    assert "Not faith-based" in text and "Free or pay what you can" in text
    assert "Serves the whole country" in text
    assert f"Last checked on {TODAY - timedelta(days=10):%B} " in text
    assert "Report a problem with this listing" in text


def test_stale_fictional_and_other_countries_listings_are_not_shown(app, results):
    publish(app, national("Old Line", last_checked=TODAY - timedelta(days=400)))
    publish(app, national("Pretend Line"), fictional=True, publisher="partner-one")
    publish(app, national("Elsewhere Line", country="IE"), publisher="partner-two")
    text = results().text()
    for name in ("Old Line", "Pretend Line", "Elsewhere Line"):
        assert name not in text
    # With no listing for the place, the country's official service finder stands in.
    assert "Official lists of drug and alcohol services" in text


def test_no_listing_id_or_place_goes_into_an_address(app, results):
    listing = national("Greenway Line")
    publish(app, listing)
    page = results()
    assert not [link for link in page.parsed.links if listing.id in link]
    assert not [form for form in page.parsed.forms if listing.id in (form["action"] or "")]


class _ReportButtons(HTMLParser):
    """What each "report a problem" button of a page sends, as a browser would: the hidden fields of the form
    it is in, and its own name and value; by the button's value."""

    def __init__(self):
        super().__init__()
        self.sent: dict[str, tuple[str, dict[str, str]]] = {}
        self._form: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = (a.get("action") or "", {})
        elif self._form and tag == "input" and a.get("type") == "hidden":
            self._form[1][a["name"]] = a.get("value") or ""
        elif self._form and tag == "button" and a.get("name"):
            action, fields = self._form
            self.sent[a.get("value") or ""] = (action, {**fields, a["name"]: a.get("value") or ""})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def report_button(page, listing_id: str) -> tuple[str, dict[str, str]]:
    """Where a listing's report button posts and what it sends."""
    buttons = _ReportButtons()
    buttons.feed(page.html)
    return buttons.sent[listing_id]


def test_report_a_problem_without_javascript(app, browser, results):
    listing = national("Greenway Line")
    other = national("Riverside Line")
    publish(app, listing, other)
    page = results()
    # Each listing's button sends its own id, with the page's token, through the form around the list.
    action, sent = report_button(page, listing.id)
    assert action == "/report-a-listing" and sent == {"csrf_token": page.csrf_token(), "service": listing.id}
    assert report_button(page, other.id)[1]["service"] == other.id
    form = browser.post(action, data=sent)
    assert form.status == 200 and "Report a problem with this listing" in form.text()
    assert "Greenway Line" in form.text()
    missing = browser.post(
        "/report-a-listing", data={"csrf_token": form.csrf_token(), "service": listing.id, "step": "report", "kind": ""}
    )
    assert missing.status == 400 and missing.has_error_summary()
    assert "Select what is wrong with this listing" in missing.text()
    forged = browser.post(
        "/report-a-listing",
        data={"csrf_token": form.csrf_token(), "service": listing.id, "step": "report", "kind": "spam"},
    )
    assert forged.status == 400
    too_long = browser.post(
        "/report-a-listing",
        data={
            "csrf_token": form.csrf_token(),
            "service": listing.id,
            "step": "report",
            "kind": "other",
            "note": "x" * 1001,
        },
    )
    assert too_long.status == 400 and "under 1,000 characters" in too_long.text()
    assert reports(app) == []
    sent = browser.post(
        "/report-a-listing",
        data={
            "csrf_token": form.csrf_token(),
            "service": listing.id,
            "step": "report",
            "kind": "wrong_number",
            "note": "a shop answers",
        },
    )
    assert sent.status == 200 and "your report has been sent" in sent.text()
    (report,) = reports(app)
    assert (report.service_id, report.kind, report.note) == (listing.id, "wrong_number", "a shop answers")


def test_a_report_needs_the_forms_token_and_a_listing_that_exists(app, browser, results):
    listing = national("Greenway Line")
    publish(app, listing)
    page = results()
    gone = browser.post("/report-a-listing", data={"csrf_token": page.csrf_token(), "service": "no-such-listing"})
    assert gone.status == 404 and "no longer in the directory" in gone.text()
    huge = browser.post("/report-a-listing", data={"csrf_token": page.csrf_token(), "service": "x" * 5000})
    assert huge.status == 404
    no_token = browser.client.post(
        "/report-a-listing", data={"service": listing.id, "step": "report", "kind": "closed"}
    )
    assert no_token.status_code == 400
    assert reports(app) == []


def test_reports_are_rate_limited(app, browser, results):
    listing = national("Greenway Line")
    publish(app, listing)
    token = results().csrf_token()
    statuses = [
        browser.client.post(
            "/report-a-listing", data={"csrf_token": token, "service": listing.id, "step": "report", "kind": "closed"}
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    assert len(reports(app)) == 10


def test_results_still_show_when_the_directory_cannot_be_read(app_with):
    # A database server that is not there: port 1 on this machine refuses at once.
    app = app_with(DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing")
    from tests.support.pages import Browser

    browser = Browser(app.test_client())
    walk(browser, FULL)
    page = browser.get("/results")
    assert page.status == 200
    assert "Official lists of drug and alcohol services" in page.text()
    # A report sent while the directory cannot be read says so, and nothing else.
    sent = browser.post(
        "/report-a-listing",
        data={"csrf_token": page.csrf_token(), "service": "any-listing", "step": "report", "kind": "closed"},
    )
    assert sent.status == 503 and "Your report could not be sent" in sent.text()


def test_the_reach_out_page_and_the_printed_plan_list_the_services_too(app, browser, results):
    publish(app, national("Greenway Line"))
    results()
    reach_out = browser.get("/reach-out")
    assert "Greenway Line" in reach_out.text() and 'href="tel:+442079460000"' in reach_out.html
    plan = browser.get("/plan")
    assert "Greenway Line" in plan.text() and "Last checked on" in plan.text()


def test_a_partners_own_directory_comes_first_inside_its_embed_and_nowhere_else(app, browser):
    publish(app, national("Operator Line"))
    publish(app, national("Partner Line", attributes=frozenset()), publisher="example")
    page = browser.get("/embed/example/questions")
    while "/questions/" in browser.history[-1]:
        page = browser.answer(page, FULL.get(browser.history[-1].rsplit("/", 1)[1]))
    embedded = browser.get("/embed/example/results").text()
    # Partner Line meets fewer preferences, yet comes first in the partner's own embed.
    assert embedded.index("Partner Line") < embedded.index("Operator Line")
    walk(browser, FULL)
    own_site = browser.get("/results").text()
    assert "Operator Line" in own_site and "Partner Line" not in own_site


def test_a_country_alone_says_a_region_or_town_would_show_the_local_services(app, browser, results):
    publish(app, national("Leeds Clinic", whole_country=False, remote=False, subdivisions=("GB-ENG",)))
    page = results()  # FULL gives GB and leaves the region and town blank
    text = page.text()
    assert "Leeds Clinic" not in text
    assert "Add a region or a town to see the ones nearby" in text
    link = next(link for link in page.parsed.links if "change=1" in link and "/questions/" in link)
    assert link.startswith("/questions/subdivision")
    browser.answer(browser.get(link), "GB-ENG")
    text = browser.get("/results").text()
    assert "Leeds Clinic" in text and "Add a region or a town" not in text


def test_each_visitor_is_told_why_a_kept_listing_was_shown_to_them(app):
    """A listing is kept whole, under why it was shown in words: the distance and town are this visitor's."""
    publish(app, a_listing("Harbour Lane Recovery"))
    near = {**FULL, "country": "PT", "subdivision": "PT-13"}

    def results_for(town: str) -> str:
        browser = Browser(app.test_client())
        walk(browser, {**near, "town": town})
        page = browser.get("/results")
        assert page.status == 200
        return page.text()

    porto, gaia, again = results_for("Porto"), results_for("Vila Nova de Gaia"), results_for("Porto")
    assert "Harbour Lane Recovery" in porto and "Harbour Lane Recovery" in gaia
    assert "1 km from Porto" in porto and "from Vila Nova de Gaia" not in porto
    assert "km from Vila Nova de Gaia" in gaia and "from Porto" not in gaia
    assert again == porto


def test_each_visitor_is_told_which_service_near_them_offers_an_option(app):
    """How to start an option names the service near the person that offers it: kept per listing."""
    regional = {"whole_country": False, "remote": False}
    publish(
        app,
        national("Leeds Clinic", subdivisions=("GB-ENG",), **regional),
        national("Glasgow Clinic", subdivisions=("GB-SCT",), **regional),
    )

    def how_to_start(region: str) -> list[str]:
        browser = Browser(app.test_client())
        walk(browser, {**FULL, "subdivision": region})
        html = browser.get("/results").html
        starts = re.findall(r'<p class="card__start">(.*?)</p>', html, flags=re.S)
        return [" ".join(re.sub(r"<[^>]+>", " ", start).split()) for start in starts]

    england, scotland = how_to_start("GB-ENG"), how_to_start("GB-SCT")
    assert any("Near you: Leeds Clinic" in start for start in england)
    assert any("Near you: Glasgow Clinic" in start for start in scotland)
    assert not any("Leeds" in start for start in scotland) and not any("Glasgow" in start for start in england)
