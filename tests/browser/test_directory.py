"""Services near the person on a phone and a desktop: the listings, their links, and reporting a problem."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PORTO = {
    "who": "myself",
    "country": "PT",
    "danger": "not_now",
    "subdivision": "PT-13",
    "town": "Porto",
    "substances": ["opioids"],
    "injecting": "does_not_inject",
    "readiness": "stop",
    "faith": "secular",
    "setting": "outpatient",
    "medication": "open",
    "previous_treatment": "never",
    "support": ["peer_groups"],
    "needs": ["cost"],
}


def test_services_near_porto_and_a_problem_report(open_page, wizard, check_page) -> None:
    # Every page checked is also screenshotted at 375 and 1280 px (artifacts/screenshots).
    page: Page = open_page(shot_prefix="directory-")
    wizard.complete(page, PORTO)
    page.goto("/results")
    section = page.locator("section[aria-labelledby='services-near']")
    expect(section.get_by_role("heading", name="Services near you")).to_be_visible()
    porto = section.locator("li.service", has_text="Example Recovery Centre Porto")
    expect(porto).to_be_visible()
    expect(porto).to_contain_text("Example listing: not a real service")
    expect(porto).to_contain_text("1 km from Porto")
    expect(porto).to_contain_text("Last checked on")
    # Not for someone who wants no faith-based help, nor live-in care for someone living at home.
    expect(section).not_to_contain_text("Example Faith Community Braga")
    check_page(page, "results-services")
    # The section alone too, at both widths, to look at without scrolling the whole results page.
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        section.screenshot(path=f"artifacts/screenshots/{width}-directory-services-section.png")
    # The address, hours and the report button are under "About" on the listing: open it first.
    porto.locator("details.service__about > summary").click()
    porto.get_by_role("button", name="Report a problem with this listing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem with this listing")
    assert "service" not in page.url and "Porto" not in page.url
    check_page(page, "report-listing")
    # Each send is a page load: wait for it, so the next click lands on the new page, not the old one.
    with page.expect_navigation():
        page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.get_by_label("The phone number is wrong").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your report has been sent")
    check_page(page, "report-listing-sent")
    # Right to left: the same listing in Arabic, its facts and reasons mirrored.
    page.goto("/results?lang=ar")
    check_page(page, "results-services-ar")
    section = page.locator("section[aria-labelledby='services-near']")
    expect(section.locator("li.service").first).to_contain_text("Example Recovery Centre Porto")
    page.set_viewport_size({"width": 375, "height": 900})
    section.screenshot(path="artifacts/screenshots/375-directory-services-section-ar.png")
