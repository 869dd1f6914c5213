"""Whole journeys through the wizard, clicking labels and buttons as a person would.

Each journey is a row of data: the answer to each question the site should ask
(a question it asks that is not listed fails the test, and so does a listed one
it skips), where the journey should land, and what the landing page must and
must not show. Every page on the way is checked with axe and screenshotted.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.answers import OPIOIDS_ONLY

pytestmark = pytest.mark.browser

FAITH_BASED = "faith_based"

JOURNEYS = [
    {
        "id": "myself-gb-opioids-injects-secular",
        "answers": OPIOIDS_ONLY,
        "lands": "/check-answers",
        "heading": "Your next steps",
        "shows": ["medication-assisted-treatment", "needle-syringe-exchange"],
        "shows_text": ["Medicine for cravings and withdrawal", "Clean needles to prevent infection"],
        "hides_faith_based": True,
        "emergency": "999",
    },
    {
        "id": "someone-else-br-alcohol-faith-inpatient",
        "answers": {
            "who": "someone_else",
            "country": "BR",
            "danger": "not_now",
            "subdivision": "",
            "town": "",
            "substances": ["alcohol"],
            # No "injecting": the site must not ask it when only alcohol is chosen.
            "readiness": "stop",
            "faith": "faith_based",
            "setting": "inpatient",
            "medication": "not_open",
            "previous_treatment": "never",
            "support": ["peer_groups"],
            "needs": [],
        },
        "lands": "/check-answers",
        "heading": "Your next steps",
        "shows": ["faith-based-therapeutic-communities"],
        "shows_text": ["Live-in faith communities"],
        "hides": ["medication-assisted-treatment"],
        "emergency": "192",
    },
    {
        "id": "myself-gb-danger-now",
        "answers": {"who": "myself", "country": "GB", "danger": "danger_now"},
        "lands": "/help-now",
        "emergency": "999",
    },
    {
        "id": "someone-else-br-danger-now",
        "answers": {"who": "someone_else", "country": "BR", "danger": "danger_now"},
        "lands": "/help-now",
        "emergency": "192",
    },
]


def faith_based_ids(wizard) -> set[str]:
    return {a.id for a in wizard.site.journey.rulebook.approaches if a.faith == FAITH_BASED}


def summary_value(page: Page, summary: str):
    row = page.locator(".summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(f"^{re.escape(summary)}$"))
    )
    return row.locator(".summary-list__value")


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j["id"] for j in JOURNEYS])
def test_journey(page: Page, wizard, check_page, assert_only_local, journey: dict) -> None:
    answers = journey["answers"]
    audience = wizard.audience(answers)

    asked = wizard.complete(page, answers)

    # Exactly the listed questions were asked, in order: skip logic included.
    assert asked == list(answers)
    assert wizard.path(page) == journey["lands"]

    if journey["lands"] == "/help-now":
        expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
        urgent_call = page.locator("main .urgent__call")
        expect(urgent_call.get_by_role("link", name=journey["emergency"], exact=True)).to_have_attribute(
            "href", "tel:" + journey["emergency"]
        )
        # The crisis banner on every page now gives the country's number too.
        expect(
            page.get_by_role("complementary", name="Urgent help").get_by_role("link", name=journey["emergency"])
        ).to_be_visible()
        # Once safe, the person can carry on: the danger answer is theirs to change.
        with page.expect_navigation():
            page.get_by_role("link", name="Carry on with the questions").click()
        assert page.url == wizard.site.url("/questions/danger?change=1")
        check_page(page, "question-danger-change")
        expect(page.get_by_label(wizard.label("danger", "danger_now", audience))).to_be_checked()
        wizard.choose(page, "danger", "not_now", audience)
        wizard.submit(page)
        assert wizard.path(page) == "/questions/subdivision"
        check_page(page)
        assert_only_local(page)
        return

    # Check your answers: one row per question asked, each with its answer.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    for question_id in asked:
        question = wizard.site.journey.by_id[question_id]
        value = answers[question_id]
        if question.kind == "multiple":
            expected = [wizard.label(question_id, code, audience) for code in value] or ["Not answered"]
        else:
            expected = [wizard.label(question_id, value, audience)]
        expect(summary_value(page, question.summary)).to_have_text("\n".join(expected))
    if "injecting" not in answers:
        expect(page.locator(".summary-list__key", has_text="Injecting")).to_have_count(0)

    with page.expect_navigation():
        page.get_by_role("link", name="See results").click()
    assert wizard.path(page) == "/results"
    check_page(page, "results-" + journey["id"])

    heading = journey["heading"]
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # The title says nothing about the answers: the history of a shared phone keeps it.
    expect(page).to_have_title("Your options – Find support")
    about_them = page.get_by_role("heading", name="Options that fit them")
    expect(about_them).to_have_count(1 if audience == "someone_else" else 0)

    shown = wizard.approach_ids(page)
    for approach_id in journey["shows"]:
        assert approach_id in shown, f"{approach_id} missing from results: {shown}"
    approaches = page.locator('section[aria-labelledby="approaches"]')
    # The options after the first three are collapsed: open them, as a person would.
    more = approaches.locator("details.more-options > summary")
    if more.count():
        more.click()
    for text in journey["shows_text"]:
        # A card's heading, or a link in the shorter list after the cards.
        name = re.compile("^" + re.escape(text))
        named = approaches.get_by_role("heading", name=name).or_(approaches.get_by_role("link", name=name))
        expect(named.first).to_be_visible()
    hidden = set(journey.get("hides", []))
    if journey.get("hides_faith_based"):
        hidden |= faith_based_ids(wizard)
    assert not hidden.intersection(shown), f"results show {sorted(hidden.intersection(shown))}"
    for approach_id in hidden:
        name = wizard.approach_name(approach_id)
        expect(page.get_by_role("heading", name=name, exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)

    contacts = page.locator('section[aria-labelledby="contacts"]')
    expect(contacts.get_by_role("link", name=journey["emergency"], exact=True)).to_have_attribute(
        "href", "tel:" + journey["emergency"]
    )

    # An approach from the shorter list opens on its own page, which leads back to the results.
    more = page.locator(".more-list a")
    if more.count():
        with page.expect_navigation():
            more.first.click()
        assert wizard.path(page).startswith("/approaches/")
        check_page(page)
        with page.expect_navigation():
            page.get_by_role("link", name="Back", exact=True).click()
        assert wizard.path(page) == "/results"

    with page.expect_navigation():
        page.get_by_role("link", name="Ask us to call you back").first.click()
    assert wizard.path(page) == "/reach-out"
    check_page(page, "reach-out-" + journey["id"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Reach out for help")
    assert_only_local(page)


def test_error_when_nothing_is_chosen(page: Page, wizard, check_page) -> None:
    wizard.start(page)
    wizard.submit(page)  # nothing chosen

    assert wizard.path(page) == "/questions/who"
    check_page(page)
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    link = summary.get_by_role("link", name="Select who you are looking for help for")
    expect(link).to_have_attribute("href", "#who-myself")
    # The message is also next to the question, and tied to it for screen readers.
    expect(page.locator("#who-error")).to_contain_text("Select who you are looking for help for")
    expect(page.get_by_role("group", name="Who are you looking for help for?")).to_have_attribute(
        "aria-describedby", re.compile(r"\bwho-error\b")
    )

    # After an error, answering still works.
    wizard.choose(page, "who", "myself", "myself")
    wizard.submit(page)
    assert wizard.path(page) == "/questions/country"

    wizard.submit(page)  # no country chosen
    assert wizard.path(page) == "/questions/country"
    check_page(page)
    expect(page.locator("#error-summary").get_by_role("link")).to_have_attribute("href", "#country-input")
    expect(page.get_by_label("Which country are you in?")).to_have_attribute(
        "aria-describedby", re.compile(r"\bcountry-error\b")
    )


def test_change_an_answer_from_check_answers(page: Page, wizard, check_page) -> None:
    answers = JOURNEYS[0]["answers"]
    wizard.complete(page, answers)
    assert wizard.path(page) == "/check-answers"
    expect(summary_value(page, "Faith or spirituality")).to_have_text("No, a secular (non-religious) approach")

    with page.expect_navigation():
        page.get_by_role("link", name="Change faith or spirituality").click()
    assert page.url == wizard.site.url("/questions/faith?change=1")
    check_page(page, "question-faith-change")
    # The current answer is already chosen, and Back leads to the check page.
    expect(page.get_by_label("No, a secular (non-religious) approach")).to_be_checked()
    expect(page.get_by_role("link", name="Back", exact=True)).to_have_attribute("href", "/check-answers")

    wizard.choose(page, "faith", "faith_based", "myself")
    wizard.submit(page)
    assert wizard.path(page) == "/check-answers"
    check_page(page)
    expect(summary_value(page, "Faith or spirituality")).to_have_text("Yes, a faith-based or spiritual approach")
    # Nothing else changed.
    expect(summary_value(page, "Injecting")).to_have_text("Yes")


def test_changing_substances_adds_and_drops_the_injecting_question(page: Page, wizard, check_page) -> None:
    answers = JOURNEYS[0]["answers"]
    wizard.complete(page, answers)

    # Opioids -> alcohol only: "injecting" no longer applies, so it goes, and the
    # journey is still complete: straight back to the check page.
    with page.expect_navigation():
        page.get_by_role("link", name="Change substances").click()
    assert page.url == wizard.site.url("/questions/substances?change=1")
    check_page(page, "question-substances-change")
    expect(page.get_by_label("Opioids")).to_be_checked()
    page.get_by_label("Opioids").uncheck()
    wizard.choose(page, "substances", ["alcohol"], "myself")
    wizard.submit(page)
    assert wizard.path(page) == "/check-answers"
    check_page(page, "check-answers-alcohol")
    expect(summary_value(page, "Substances")).to_have_text("Alcohol")
    expect(page.locator(".summary-list__key", has_text="Injecting")).to_have_count(0)

    # Alcohol -> stimulants: "injecting" applies again and has no answer, so it is asked next.
    with page.expect_navigation():
        page.get_by_role("link", name="Change substances").click()
    page.get_by_label("Alcohol").uncheck()
    wizard.choose(page, "substances", ["stimulants"], "myself")
    wizard.submit(page)
    assert wizard.path(page) == "/questions/injecting"
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)
    wizard.answer(page, "injecting", "does_not_inject", "myself")
    assert wizard.path(page) == "/check-answers"
    expect(summary_value(page, "Injecting")).to_have_text("No")


def test_prefer_not_to_say_cannot_be_combined(page: Page, wizard, check_page) -> None:
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

    # With JavaScript, choosing one side clears the other at once.
    page.get_by_label("Opioids").check()
    page.get_by_label("Prefer not to say").check()
    expect(page.get_by_label("Opioids")).not_to_be_checked()
    page.get_by_label("Alcohol").check()
    expect(page.get_by_label("Prefer not to say")).not_to_be_checked()
    wizard.submit(page)
    # Alcohol only: the injecting question is skipped.
    assert wizard.path(page) == "/questions/readiness"
    check_page(page)
