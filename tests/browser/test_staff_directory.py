"""The service directory in the staff console, in a real browser: the listings, a listing's page
with Mark as checked, the problem reports and the import history (axe and screenshots at 375 and
1280 px on each, no sideways scrolling). The example directory is in the live server's database."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.layout import assert_no_horizontal_scroll
from tests.support.staff_browser import enrol_with_keyboard, new_account, press_button

pytestmark = pytest.mark.browser


def test_the_directory_pages(open_page, site, check_page) -> None:
    services = site.app.extensions["services"]
    porto = next(s for s in services.directory.store.iterate(None) if "Porto" in s.listing.name)
    services.directory.store.report_problem(porto.listing.id, kind="wrong_number", note="A bakery answered.")
    page: Page = open_page()
    enrol_with_keyboard(page, site, check_page, new_account(site, "dana"))
    check_page(page, "staff-inbox")
    for path, name in (
        ("/staff/directory", "staff-directory"),
        ("/staff/directory?stale=1", "staff-directory-stale"),
        ("/staff/directory/reports", "staff-directory-reports"),
        ("/staff/directory/imports", "staff-directory-imports"),
        (f"/staff/directory/{porto.listing.id}", "staff-directory-listing"),
    ):
        page.goto(path)
        check_page(page, name)
        assert_no_horizontal_scroll(page, path)
    expect(page.locator("main")).to_contain_text("A bakery answered.")
    press_button(page, "Mark as checked")
    check_page(page, "staff-directory-checked")
    expect(page.locator("main")).to_contain_text("dana")
