"""Checking in Playwright that a page fits its viewport's width."""

from __future__ import annotations

from playwright.sync_api import Page

OVERFLOW = """() => {
    const root = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 5)
        .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`);
    return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide};
}"""


def assert_no_horizontal_scroll(page: Page, where: str) -> None:
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], (
        f"{where} scrolls sideways: {measured['scrollWidth']} px wide in a {measured['innerWidth']} px window; "
        f"too wide: {measured['wide']}"
    )
