"""Answers never reach the logs."""

from __future__ import annotations

import logging

from tests.support.answers import FULL
from tests.support.journey import walk


def test_a_full_journey_logs_no_answers(browser, caplog):
    caplog.set_level(logging.DEBUG)
    walk(browser, FULL)
    browser.get("/results")
    browser.get("/reach-out")
    browser.post("/all-questions", data={**FULL})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for code in {c for v in FULL.values() for c in (v if isinstance(v, list) else [v])}:
        assert code not in logged
