"""The top of every page on a phone: the header row (brand, languages, "Leave this site") and the
one-line urgent-help banner leave the page its first screen.

At 375 x 812 the main content starts at most 120 px down, on the start page, a question and the
results, left to right and right to left. The first screen of each is kept in artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.support.layout import assert_no_horizontal_scroll
from wizard.platform.i18n import LANGUAGES

pytestmark = pytest.mark.browser

BUDGET_PX = 120
ANSWERS = {
    "who": "myself",
    "country": "PT",
    "danger": "not_now",
    "subdivision": "",
    "town": "",
    "substances": ["opioids"],
    "injecting": "prefer_not_to_say",
    "readiness": "stop",
    "faith": "secular",
    "setting": "outpatient",
    "medication": "open",
    "previous_treatment": "never",
    "support": [],
    "needs": [],
}

MAIN_TOP = "() => document.querySelector('main').getBoundingClientRect().top + window.scrollY"
BOX = "(el) => { const r = el.getBoundingClientRect(); return {width: r.width, height: r.height, top: r.top}; }"


def measure(page: Page, check_page, name: str) -> float:
    """Where <main> starts, from the top of the page; the first screen is kept as a picture."""
    check_page(page)
    page.evaluate("window.scrollTo(0, 0)")
    top = page.evaluate(MAIN_TOP)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"375-top-{name}.png")
    assert_no_horizontal_scroll(page, name)
    # The header is one row: the brand, the languages and "Leave this site" side by side.
    tops = [page.locator(sel).evaluate(BOX)["top"] for sel in (".languages__toggle", "#quick-exit")]
    assert abs(tops[0] - tops[1]) < 24, f"{name}: the header is not one row: {tops}"
    return top


def test_header_and_banner_leave_the_first_screen_to_the_page(page: Page, wizard, check_page) -> None:
    tops = {}
    page.goto("/")
    tops["start-en"] = measure(page, check_page, "start-en")
    wizard.start(page)
    tops["question-en"] = measure(page, check_page, "question-en")
    wizard.walk(page, ANSWERS)
    with page.expect_navigation():
        page.get_by_role("link", name="See results").click()
    tops["results-en"] = measure(page, check_page, "results-en")

    # The urgent-help banner is one line, and its number a real tap target.
    number = page.locator(".crisis a.phone--big")
    expect(number).to_have_attribute("href", "tel:112")
    box = number.evaluate(BOX)
    assert box["width"] >= 44 and box["height"] >= 44, box
    banner = page.locator(".crisis p").evaluate(BOX)
    assert banner["height"] <= 56, f"the banner takes {banner['height']} px: more than one line"

    page.goto("/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    tops["start-ar"] = measure(page, check_page, "start-ar")
    page.goto("/questions/substances")
    tops["question-ar"] = measure(page, check_page, "question-ar")
    page.goto("/results")
    tops["results-ar"] = measure(page, check_page, "results-ar")
    # Right to left, "Leave this site" sits at the left end of the row, the brand at the right.
    brand = page.locator(".brand").evaluate(BOX)
    leave = page.locator("#quick-exit").evaluate("(el) => el.getBoundingClientRect().left")
    assert leave < page.locator(".brand").evaluate("(el) => el.getBoundingClientRect().left"), brand

    print("top of <main> at 375 px:", tops)
    over = {name: top for name, top in tops.items() if top > BUDGET_PX}
    assert not over, f"the page starts lower than {BUDGET_PX} px: {over} (all: {tops})"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_languages_open_from_one_control(open_page, check_page, javascript: bool) -> None:
    page = open_page(javascript=javascript, shot_prefix="languages-" if javascript else "languages-nojs-")
    page.goto("/questions/who")
    check_page(page)
    links = page.locator(".languages__list a")
    expect(links.first).to_be_hidden()
    page.locator(".languages__toggle").click()
    expect(links).to_have_count(len(LANGUAGES))
    for variant in ("pt-BR", "pt-PT"):
        expect(page.locator(f'.languages__list a[hreflang="{variant}"][lang="{variant}"]')).to_be_visible()
    expect(page.locator('.languages__list a[aria-current="true"]')).to_have_attribute("hreflang", "en")
    page.screenshot(path=SCREENSHOTS / f"375-top-languages-open{'' if javascript else '-nojs'}.png")
    # The list opens over the page, inside the window.
    box = page.locator(".languages__list").evaluate(
        "(el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; }"
    )
    assert box[0] >= 0 and box[1] <= 375, box
    # Every language in it is within the window too, the last one included (a long list must not run off).
    last = links.last.evaluate("(el) => el.getBoundingClientRect().bottom")
    assert last <= page.viewport_size["height"], last
    with page.expect_navigation():
        page.locator('.languages__list a[hreflang="fr"]').click()
    check_page(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.url.endswith("/questions/who?lang=fr")


def test_escape_closes_the_languages(page: Page, check_page) -> None:
    page.goto("/")
    check_page(page)
    page.locator(".languages__toggle").click()
    expect(page.locator(".languages__list")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".languages__list")).to_be_hidden()
    expect(page.locator(".languages__toggle")).to_be_focused()


def test_exit_tip_suits_the_device(open_page, browser, site, check_page) -> None:
    """Shift three times where there is a mouse and keyboard; on a phone, the button at the top."""
    desktop = open_page(viewport={"width": 1280, "height": 800})
    desktop.goto("/staying-safe-online")
    check_page(desktop)
    expect(desktop.get_by_text("Tip: press the Shift key 3 times to leave this site quickly.")).to_be_visible()
    expect(desktop.get_by_text("Tip: tap “Leave this site” at the top to leave quickly.")).to_be_hidden()
    expect(desktop.get_by_text("On a computer, pressing the Shift key 3 times does the same")).to_be_visible()

    # A touch phone (the open_page fixture makes desktop-like pages only): the same page, nothing else.
    context = browser.new_context(viewport={"width": 375, "height": 812}, has_touch=True, is_mobile=True)
    context.route(lambda url: not site.is_local(url), lambda route: route.abort("blockedbyclient"))
    touch = context.new_page()
    try:
        touch.goto(site.url("/staying-safe-online"))
        expect(touch.get_by_text("Tip: tap “Leave this site” at the top to leave quickly.")).to_be_visible()
        expect(touch.get_by_text("Tip: press the Shift key 3 times to leave this site quickly.")).to_be_hidden()
        expect(touch.get_by_text("On a computer, pressing the Shift key 3 times does the same")).to_be_hidden()
        touch.screenshot(path=SCREENSHOTS / "375-touch-staying-safe-online.png", full_page=True)
    finally:
        context.close()


def test_unticking_is_announced(page: Page, wizard, check_page) -> None:
    """Choosing "Prefer not to say" unticks the other answers, and a screen reader is told which."""
    wizard.start(page)
    for question_id in ("who", "country", "danger", "subdivision", "town"):
        wizard.answer(page, question_id, ANSWERS[question_id], "myself")
    assert wizard.path(page) == "/questions/substances"
    check_page(page)
    announce = page.locator("#announce")
    expect(announce).to_have_attribute("aria-live", "polite")
    page.get_by_label("Opioids", exact=True).check()
    page.get_by_label("Alcohol", exact=True).check()
    expect(announce).to_have_text("")
    page.get_by_label("Prefer not to say", exact=True).check()
    expect(page.get_by_label("Opioids", exact=True)).not_to_be_checked()
    expect(announce).to_have_text("Unticked: Opioids, Alcohol")
    page.get_by_label("Alcohol", exact=True).check()
    expect(announce).to_have_text("Unticked: Prefer not to say")
