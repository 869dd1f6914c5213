"""Every page of the journey, error states included, through the Nu Html Checker."""

from __future__ import annotations

from pathlib import Path

from tests.support.site_pages import collect_pages, html_problems


def test_every_page_is_valid_html(browser, tmp_path: Path):
    pages = collect_pages(browser)
    problems = html_problems(pages, tmp_path)
    assert problems == [], "\n".join(problems)
    assert len(pages) >= 20
