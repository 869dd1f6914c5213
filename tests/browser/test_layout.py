"""No horizontal scrolling on a small phone (375 px) or at 200% zoom on a 1280 px screen.

200% zoom on a 1280 x 800 window lays pages out in a 640 x 400 CSS-pixel
viewport, so that is the viewport used here (a device scale factor would only
sharpen the pixels, not change the layout).
"""

from __future__ import annotations

import pytest

from tests.support.layout import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "375": ({"width": 375, "height": 812}, None),
    "1280-at-200-percent": ({"width": 640, "height": 400}, "1280-zoom200-"),
}

# Long labels and names make overflow more likely.
ANSWERS = {
    "who": "someone_else",
    "country": "BR",
    "danger": "not_now",
    "subdivision": "",
    "town": "",
    "substances": ["opioids", "stimulants"],
    "injecting": "prefer_not_to_say",
    "readiness": "not_sure",
    "faith": "faith_based",
    "setting": "inpatient",
    "medication": "want_to_know_more",
    "previous_treatment": "did_not_help",
    "support": ["peer_groups", "online", "holistic", "practical"],
    "needs": ["cost", "distance", "women_childcare", "language_culture", "mental_health", "legal", "stigma"],
}


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_no_horizontal_scrolling(open_page, wizard, check_page, viewport_name: str) -> None:
    viewport, prefix = VIEWPORTS[viewport_name]
    page = open_page(viewport=viewport, shot_prefix=prefix)

    page.goto("/")
    assert_no_horizontal_scroll(page, "the start page")
    wizard.start(page)
    audience = wizard.audience(ANSWERS)
    while wizard.path(page).startswith("/questions/"):
        question_id = wizard.path(page).rsplit("/", 1)[1]
        check_page(page)
        # Choose first, so the page is measured with the answer shown as chosen.
        wizard.choose(page, question_id, ANSWERS[question_id], audience)
        assert_no_horizontal_scroll(page, f"question {question_id}")
        wizard.submit(page)

    assert wizard.path(page) == "/check-answers"
    check_page(page)
    assert_no_horizontal_scroll(page, "check your answers")

    with page.expect_navigation():
        page.get_by_role("link", name="See results").click()
    check_page(page)
    # Open every "Sources" and other collapsed section, so long quotes are measured too.
    for summary in page.locator("details > summary").all():
        summary.click()
    assert_no_horizontal_scroll(page, "the results")

    with page.expect_navigation():
        page.get_by_role("link", name="Ask us to call you back").first.click()
    check_page(page)
    assert_no_horizontal_scroll(page, "reach out")

    for path in ("/help-now", "/all-questions", "/approaches/faith-based-therapeutic-communities"):
        page.goto(path)
        check_page(page)
        assert_no_horizontal_scroll(page, path)


OTHER_PAGES = [
    "/staying-safe-online",
    "/privacy",
    "/accessibility",
    "/cookies-off",
    "/reach-out",
    "/approaches/naloxone",
    "/no-such-page",
]


@pytest.mark.parametrize("viewport_name", list(VIEWPORTS))
def test_other_pages(open_page, check_page, viewport_name: str) -> None:
    """Pages outside the journey (information, errors, reach out with no answers) are checked too."""
    viewport, prefix = VIEWPORTS[viewport_name]
    page = open_page(viewport=viewport, shot_prefix=prefix)
    for path in OTHER_PAGES:
        response = page.goto(path)
        assert response is not None
        assert response.status == (404 if path == "/no-such-page" else 200), path
        check_page(page, "not-found" if path == "/no-such-page" else None)
        assert_no_horizontal_scroll(page, path)
