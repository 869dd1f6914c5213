"""Get help now in a real browser: the right number first as a real tap target, crisis lines
before others, steps for who is in danger, and the one-page form's danger button.

Screenshots (artifacts/screenshots/375-help-now-*.png) cover the United States, Portugal,
South Africa, Indonesia and no known country, each for myself and for someone else.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TAP_TARGET_PX = 44

SIZES = """(selector) => [...document.querySelectorAll(selector)]
    .filter(el => el.offsetParent !== null)
    .map(el => { const r = el.getBoundingClientRect(); return {text: el.textContent.trim(), w: r.width, h: r.height}; })"""

KINDS = """() => [...document.querySelectorAll('.contact-list .helpline__kind')]
    .map(el => el.classList.contains('helpline__kind--crisis') ? 'crisis' : 'other')"""


def reach_help_now(page: Page, wizard, who: str, country: str) -> None:
    wizard.start(page)
    wizard.answer(page, "who", who, who)
    wizard.answer(page, "country", country, who)
    wizard.answer(page, "danger", "danger_now", who)
    assert wizard.path(page) == "/help-now"


def assert_tap_targets(page: Page, selector: str) -> None:
    sizes = page.evaluate(SIZES, selector)
    assert sizes, f"no {selector} on the page"
    small = [s for s in sizes if s["w"] < TAP_TARGET_PX or s["h"] < TAP_TARGET_PX]
    assert not small, f"tap targets smaller than {TAP_TARGET_PX} px: {small}"


def assert_crisis_lines_first(page: Page) -> None:
    kinds = page.evaluate(KINDS)
    assert kinds == sorted(kinds, key=lambda kind: kind != "crisis"), kinds


@pytest.mark.parametrize("who", ["myself", "someone_else"])
@pytest.mark.parametrize(("country", "first_number"), [("US", "911"), ("PT", "112"), ("ZA", "10177"), ("ID", "112")])
def test_help_now_for_each_country_and_audience(open_page, wizard, check_page, country, first_number, who):
    page = open_page()
    reach_help_now(page, wizard, who, country)
    check_page(page, f"help-now-{country}-{who}")
    urgent = page.locator(".urgent").first
    expect(urgent.locator("a.phone--big").first).to_have_attribute("href", f"tel:{first_number}")
    assert_tap_targets(page, ".crisis a.phone--big")
    assert_tap_targets(page, ".urgent a.phone--big")
    assert_crisis_lines_first(page)
    headings = page.locator("h2").all_inner_texts()
    mine, theirs = headings.index("If you are the one in danger"), headings.index("If someone else is in danger")
    assert (mine < theirs) == (who == "myself"), headings
    if country == "ZA":
        expect(page.get_by_text("Works from mobile phones only.").first).to_be_visible()
    if country == "ID":
        expect(page.get_by_text("Not answered in every part of the country yet.").first).to_be_visible()


@pytest.mark.parametrize("who", ["myself", "someone_else"])
def test_help_now_without_a_known_country(open_page, wizard, check_page, who):
    page = open_page()
    wizard.start(page)
    wizard.answer(page, "who", who, who)
    wizard.answer(page, "country", "prefer_not_to_say", who)
    wizard.answer(page, "danger", "danger_now", who)
    check_page(page, f"help-now-no-country-{who}")
    expect(page.get_by_text("Call your local emergency number now.")).to_be_visible()
    expect(page.locator(".fallback-numbers")).to_contain_text("112")
    # A country chosen on the page shows its numbers, and is not kept.
    page.get_by_label("Show the numbers for a country").select_option(label="Portugal")
    with page.expect_navigation():
        page.get_by_role("button", name="Show numbers").click()
    check_page(page, f"help-now-chosen-PT-{who}")
    expect(page.locator(".urgent a.phone--big").first).to_have_attribute("href", "tel:112")
    assert_crisis_lines_first(page)
    page.goto("/help-now")
    check_page(page, f"help-now-no-country-again-{who}")
    expect(page.get_by_text("Call your local emergency number now.")).to_be_visible()


def test_one_page_danger_box_appears_when_yes_is_chosen(open_page, check_page):
    page = open_page()
    page.goto("/all-questions")
    check_page(page)
    box = page.locator("[data-crisis-box]")
    expect(box).to_be_hidden()
    page.get_by_label("Someone else, such as a family member, partner or friend").check()
    page.get_by_label("Yes, there is danger now").check()
    expect(box).to_be_visible()
    with page.expect_navigation():
        box.get_by_role("button", name="Get help now").click()
    check_page(page, "help-now-from-one-page")
    headings = page.locator("h2").all_inner_texts()
    assert headings.index("If someone else is in danger") < headings.index("If you are the one in danger")


def test_one_page_danger_button_works_without_javascript(open_page, check_page):
    page = open_page(javascript=False)
    page.goto("/all-questions")
    check_page(page)
    page.get_by_label("Yes, there is danger now").check()
    with page.expect_navigation():
        page.locator("[data-crisis-box]").get_by_role("button", name="Get help now").click()
    check_page(page, "help-now-from-one-page")
    expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
