"""Moving through pages with the keyboard alone in Playwright, and checking focus is visible."""

from __future__ import annotations

from playwright.sync_api import Page, expect

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


def choose_radio(page: Page, name: str, code: str, id_prefix: str = "") -> None:
    """Tab into a radio group, then arrow keys to the option (Space if it is the first).
    The option's id is `{id_prefix}{name}-{code}`."""
    first = press_until(page, lambda el: el["name"] == name and el["type"] == "radio", f"{name} radios")
    # The arrow keys skip options that are not shown ("I do not know" when the help is for the person).
    codes = page.eval_on_selector_all(
        f"input[name='{name}']", "inputs => inputs.filter(i => i.getClientRects().length).map(i => i.value)"
    )
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
