"""The whole journey with the keyboard only: Tab, Shift+Tab, arrows, Space and Enter.

Nothing here clicks, fills or checks through Playwright: every choice is made
with page.keyboard, so a control that cannot be reached or used from the
keyboard fails the test. Focus must be visible at each kind of control.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ANSWERS = {
    "who": "myself",
    "country": "GB",
    "danger": "not_now",
    "substances": ["opioids", "alcohol"],
    "injecting": "does_not_inject",
    "readiness": "stop",
    "faith": "no_preference",
    "setting": "outpatient",
    "medication": "want_to_know_more",
    "previous_treatment": "finished",
    "support": ["online"],
    "needs": [],
}

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {
        tag: el.tagName, id: el.id, type: el.type || '', name: el.name || '',
        text: (el.innerText || el.textContent || '').trim(), checked: !!el.checked, value: el.value || '',
    };
}"""

# Styles that can show focus, on the focused element, its container and its labels.
FOCUS_STYLES = """(el) => {
    const nodes = [['element', el, null], ['container', el.parentElement, null]];
    for (const label of el.labels || []) nodes.push(['label', label, null], ['label::before', label, '::before']);
    const out = {};
    for (const [name, node, pseudo] of nodes) {
        const s = getComputedStyle(node, pseudo);
        out[name] = {
            outline: s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0
                ? 'none' : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
            shadow: s.boxShadow,
            background: s.backgroundColor,
        };
    }
    return out;
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def press_until(page: Page, matches, what: str, key: str = "Tab", limit: int = 60) -> dict:
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if element and matches(element):
            return element
        seen.append(element and (element["id"] or element["text"][:30] or element["tag"]))
    raise AssertionError(f"{key} never reached {what}; focus went through {seen}")


def tab_to_id(page: Page, element_id: str, key: str = "Tab") -> dict:
    return press_until(page, lambda el: el["id"] == element_id, f"#{element_id}", key)


def tab_to_text(page: Page, text: str, tag: str | None = None) -> dict:
    return press_until(
        page, lambda el: el["text"] == text and (tag is None or el["tag"] == tag), f"{tag or 'control'} {text!r}"
    )


def assert_focus_visible(page: Page) -> None:
    """The focused control (or its box or label) has an outline or shadow that it lacks unfocused."""
    handle = page.evaluate_handle("document.activeElement")
    with_focus = handle.evaluate(FOCUS_STYLES)
    page.keyboard.press("Shift+Tab")
    without_focus = handle.evaluate(FOCUS_STYLES)
    page.keyboard.press("Tab")
    assert handle.evaluate("el => el === document.activeElement"), "Shift+Tab then Tab did not return focus"
    shown = [
        f"{part}: {prop} {styles[prop]}"
        for part, styles in with_focus.items()
        for prop in ("outline", "shadow")
        if styles[prop] != "none" and styles[prop] != without_focus[part][prop]
    ]
    described = focused(page)
    assert shown, f"no visible focus indicator on {described}: focused {with_focus}, unfocused {without_focus}"


def submit(page: Page) -> None:
    tab_to_text(page, "Continue", "BUTTON")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose_radio(page: Page, name: str, code: str, id_prefix: str = "") -> None:
    """Tab into a radio group, then arrow keys to the option (Space if it is the first).
    The option's id is `{id_prefix}{name}-{code}`."""
    first = press_until(page, lambda el: el["name"] == name and el["type"] == "radio", f"{name} radios")
    codes = page.eval_on_selector_all(f"input[name='{name}']", "inputs => inputs.map(i => i.value)")
    steps = codes.index(code) - codes.index(first["value"])
    if steps == 0:
        page.keyboard.press("Space")
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(page.locator(f"#{id_prefix}{name}-{code}")).to_be_checked()
    expect(page.locator(f"#{id_prefix}{name}-{code}")).to_be_focused()


def choose_checkboxes(page: Page, question_id: str, codes: list[str]) -> None:
    for code in codes:
        tab_to_id(page, f"{question_id}-{code}")
        page.keyboard.press("Space")
        expect(page.locator(f"#{question_id}-{code}")).to_be_checked()


def test_whole_journey_with_the_keyboard_only(page: Page, wizard, check_page) -> None:
    page.goto("/")
    check_page(page)
    tab_to_text(page, "Start now", "A")
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    visible_checked = set()
    while wizard.path(page).startswith("/questions/"):
        question_id = wizard.path(page).rsplit("/", 1)[1]
        check_page(page)
        question = wizard.journey.by_id[question_id]
        value = ANSWERS[question_id]
        if question.kind == "country":
            tab_to_id(page, "country-input")
            assert_focus_visible(page)
            page.keyboard.type(wizard.label("country", value, "myself"))
            expect(page.locator("#country-input")).to_have_value(value)
            # Past the control to the button, and back again with Shift+Tab.
            tab_to_text(page, "Continue", "BUTTON")
            assert_focus_visible(page)
            tab_to_id(page, "country-input", key="Shift+Tab")
            expect(page.locator("#country-input")).to_have_value(value)
            visible_checked.add("select")
        elif question.kind == "multiple":
            choose_checkboxes(page, question_id, value)
            if value and "checkbox" not in visible_checked:
                assert_focus_visible(page)
                visible_checked.add("checkbox")
        else:
            choose_radio(page, question_id, value)
            if "radio" not in visible_checked:
                assert_focus_visible(page)
                visible_checked.add("radio")
        submit(page)

    assert visible_checked == {"select", "checkbox", "radio"}
    assert wizard.path(page) == "/check-answers"
    check_page(page)
    tab_to_text(page, "See results", "A")
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert wizard.path(page) == "/results"
    check_page(page, "results-keyboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Options that may suit you")
    assert "medication-assisted-treatment" in wizard.approach_ids(page)


def test_skip_link_is_first_and_moves_to_the_main_content(page: Page, check_page) -> None:
    page.goto("/")
    check_page(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    assert_focus_visible(page)
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    # The next Tab goes into the main content, not back through the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_error_summary_takes_focus_and_its_link_moves_to_the_question(page: Page, wizard, check_page) -> None:
    page.goto("/questions")
    assert wizard.path(page) == "/questions/who"
    check_page(page)
    submit(page)  # nothing chosen
    assert wizard.path(page) == "/questions/who"
    # Needs static/wizard.js: it focuses the summary so screen readers announce it.
    expect(page.locator("#error-summary")).to_be_focused()
    check_page(page)

    tab_to_text(page, "Select who you are looking for help for", "A")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#who-myself")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#who-myself")).to_be_checked()
    submit(page)
    assert wizard.path(page) == "/questions/country"
    check_page(page)


def test_start_now_answers_to_the_keys_of_its_role(page: Page, wizard, check_page) -> None:
    """A control announced as a button must work with Space, as buttons do; a link works with Enter."""
    page.goto("/")
    check_page(page)
    tab_to_text(page, "Start now", "A")
    role = page.evaluate("document.activeElement.getAttribute('role') || 'link'")
    keys = ["Space", "Enter"] if role == "button" else ["Enter"]
    for key in keys:
        page.keyboard.press(key)
        page.wait_for_url(wizard.site.url("/questions/who"))
        check_page(page)
        if key != keys[-1]:
            page.go_back()
            assert wizard.path(page) == "/"
            tab_to_text(page, "Start now", "A")
