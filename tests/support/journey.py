"""Walking the step-by-step journey through the Flask test client, as a person would."""

from __future__ import annotations


def walk(browser, answers: dict):
    """Answer whatever question is shown until there is no question left."""
    page = browser.get("/questions")
    seen = []
    while "/questions/" in browser.history[-1]:
        qid = browser.history[-1].split("?")[0].rsplit("/", 1)[1]
        seen.append(qid)
        assert len(seen) < 30, "the journey does not end"
        page = browser.answer(page, answers.get(qid))
    return page, seen
