"""With JavaScript off, every part of the service still works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.answers import FULL

pytestmark = pytest.mark.browser

# The full answers with opioids alone and one need.
ANSWERS = {**FULL, "substances": ["opioids"], "needs": ["cost"]}


@pytest.fixture
def no_js_page(open_page) -> Page:
    return open_page(javascript=False)


def test_step_by_step_journey_to_results(no_js_page: Page, wizard, check_page) -> None:
    page = no_js_page
    asked = wizard.complete(page, ANSWERS)
    assert asked == list(ANSWERS)
    assert wizard.path(page) == "/check-answers"
    with page.expect_navigation():
        page.get_by_role("link", name="See results").click()
    assert wizard.path(page) == "/results"
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your next steps")
    shown = wizard.approach_ids(page)
    assert "medication-assisted-treatment" in shown
    assert "needle-syringe-exchange" in shown
    # Keeping the results needs no script: a plan to print or save, and a link.
    expect(page.get_by_role("link", name="Save or print my plan")).to_be_visible()

    # "Start again" is a plain form: it forgets the answers.
    with page.expect_navigation():
        page.get_by_role("button", name="Start again").click()
    assert wizard.path(page) == "/"
    page.goto("/check-answers")
    assert wizard.path(page) == "/questions/who"


def test_one_page_form_to_results(no_js_page: Page, wizard, check_page) -> None:
    page = no_js_page
    page.goto("/")
    check_page(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Use the one-page version").click()
    assert wizard.path(page) == "/all-questions"
    check_page(page)

    # Send it empty first: every required question is listed in the error summary.
    with page.expect_navigation():
        page.get_by_role("button", name="See results").click()
    check_page(page, "all-questions-error")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("^Who the help is for"))).to_have_attribute(
        "href", "#who-myself"
    )
    expect(summary.get_by_role("link", name=re.compile("^Country"))).to_have_attribute("href", "#country-input")

    for question_id, value in ANSWERS.items():
        question = wizard.journey.by_id[question_id]
        text = wizard.question_text(question_id, "myself")
        if question.kind == "country":
            page.get_by_label(text, exact=True).select_option(label=wizard.label(question_id, value, "myself"))
            continue
        if question.kind in ("subdivision", "town"):
            continue  # left blank (optional)
        group = page.get_by_role("group", name=text, exact=True)
        for code in value if isinstance(value, list) else [value]:
            group.get_by_label(wizard.label(question_id, code, "myself"), exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="See results").click()

    assert wizard.path(page) == "/all-questions"
    check_page(page, "all-questions-results")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your next steps")
    shown = wizard.approach_ids(page)
    assert "medication-assisted-treatment" in shown
    assert "needle-syringe-exchange" in shown
    expect(page.locator('section[aria-labelledby="contacts"]').get_by_role("link", name="999")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the questions")).to_have_attribute("href", "/all-questions")
    # The one-page version keeps nothing: the step-by-step journey starts from scratch.
    page.goto("/questions")
    assert wizard.path(page) == "/questions/who"
    check_page(page)


def test_quick_exit_link_works_and_clears_answers(no_js_page: Page, wizard, site, check_page) -> None:
    page = no_js_page
    wizard.complete(page, ANSWERS)
    assert wizard.path(page) == "/check-answers"
    # The Shift-key tip only makes sense with JavaScript, so it stays hidden.
    expect(page.get_by_text("press the Shift key 3 times")).to_be_hidden()

    with page.expect_navigation():
        page.get_by_role("link", name="Leave this site").click()
    assert page.url == site.exit_url
    check_page(page, "exit-page")

    page.goto("/check-answers")
    assert wizard.path(page) == "/questions/who"
    check_page(page)
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)


def test_prefer_not_to_say_with_other_answers_is_an_error(no_js_page: Page, wizard, check_page) -> None:
    page = no_js_page
    wizard.start(page)
    for question_id, value in {
        "who": "myself",
        "country": "GB",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
    }.items():
        wizard.answer(page, question_id, value, "myself")
    assert wizard.path(page) == "/questions/substances"
    check_page(page)

    page.get_by_label("Opioids").check()
    page.get_by_label("Prefer not to say").check()
    wizard.submit(page)
    assert wizard.path(page) == "/questions/substances"
    check_page(page)
    message = "“Prefer not to say” cannot be chosen together with other answers"
    expect(page.locator("#error-summary").get_by_role("link", name=message)).to_have_attribute(
        "href", "#substances-opioids"
    )
    expect(page.locator("#substances-error")).to_contain_text(message)

    page.get_by_label("Prefer not to say").check()
    wizard.submit(page)
    # Nothing to say about substances: the injecting question is not asked.
    assert wizard.path(page) == "/questions/readiness"
    check_page(page)
