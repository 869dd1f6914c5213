"""Leaving quickly, with JavaScript on: the Shift key three times, or "Leave this site"."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

FIRST_ANSWERS = {"who": "someone_else", "country": "GB", "danger": "not_now", "subdivision": "", "town": ""}


@pytest.fixture
def leave(site, wizard, check_page):
    """Helpers shared by these tests, with every page they reach checked."""

    class Leave:
        @staticmethod
        def answer_some_questions(page: Page) -> None:
            wizard.start(page)
            for question_id, value in FIRST_ANSWERS.items():
                wizard.answer(page, question_id, value, "someone_else")
            assert wizard.path(page) == "/questions/substances"
            check_page(page)

        @staticmethod
        def assert_on_exit_page(page: Page) -> None:
            page.wait_for_url(site.exit_url)
            assert page.url == site.exit_url
            check_page(page, "exit-page")

        @staticmethod
        def assert_answers_forgotten(page: Page) -> None:
            # With answers kept, /questions would continue at "substances".
            page.goto("/questions")
            assert wizard.path(page) == "/questions/who"
            check_page(page)
            expect(page.get_by_role("radio", checked=True)).to_have_count(0)

    return Leave


def test_shift_three_times_leaves_and_forgets_answers(page: Page, wizard, leave) -> None:
    leave.answer_some_questions(page)
    expect(page.get_by_text("Tip: press the Shift key 3 times to leave this site quickly.")).to_be_visible()

    # Shift used for capital letters, as in typing "A Big", does nothing.
    for key in ("Shift+A", "Space", "Shift+B", "i", "g"):
        page.keyboard.press(key)
    # Nor does pressing it twice: the tip says 3 times.
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert wizard.path(page) == "/questions/substances"

    # A fresh page, so no earlier key press counts towards the three.
    page.reload()
    with page.expect_navigation():
        for _ in range(3):
            page.keyboard.press("Shift")
    leave.assert_on_exit_page(page)
    leave.assert_answers_forgotten(page)


def test_leave_this_site_replaces_the_page_in_history(page: Page, wizard, leave, check_page) -> None:
    leave.answer_some_questions(page)
    left_from = page.url
    history_before = page.evaluate("history.length")

    page.get_by_role("link", name="Leave this site").click()
    leave.assert_on_exit_page(page)
    # location.replace: the page that was open is not kept as a step in history.
    assert page.evaluate("history.length") == history_before

    page.go_back()
    assert page.url != left_from
    # Going back cannot show any answer: they are gone from the server's point of view too.
    assert wizard.path(page) == "/questions/who"
    check_page(page)
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)
    leave.assert_answers_forgotten(page)


def test_leaving_from_check_answers_shows_no_answers_on_back(page: Page, wizard, leave, check_page) -> None:
    answers = {
        "who": "myself",
        "country": "GB",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
        "substances": ["alcohol"],
        "readiness": "stop",
        "faith": "no_preference",
        "setting": "not_sure",
        "medication": "not_open",
        "previous_treatment": "prefer_not_to_say",
        "support": [],
        "needs": [],
    }
    wizard.complete(page, answers)
    assert wizard.path(page) == "/check-answers"

    page.get_by_role("link", name="Leave this site").click()
    leave.assert_on_exit_page(page)
    page.go_back()
    # Nothing that was on the check page can be seen again.
    assert wizard.path(page) == "/questions/who"
    check_page(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_have_count(0)
    expect(page.get_by_text("Alcohol")).to_have_count(0)
