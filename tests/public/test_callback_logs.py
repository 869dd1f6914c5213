"""Nothing a person tells us reaches the logs: not their answers, not their call-back details.

Logs are kept longer than requests and read by more people (hosting, support),
and they are not sealed. Everything is captured at DEBUG, SQL statements with
their parameters included, so even a verbose operator setting leaks nothing.
"""

from __future__ import annotations

import logging
import re

from tests.support.answers import CALLBACK, FULL, PERSONAL_PIECES, answer_codes
from tests.support.journey import walk


class Keep(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _logged_text(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = []
    for record in records:
        lines.append(formatter.format(record))  # the message, with any traceback
        lines.append(repr(record.args))  # the raw arguments, in case a handler prints them differently
    return "\n".join(lines)


def _send(browser, page, data: dict):
    form_key = re.search(r'name="form_key" value="([^"]+)"', page.html)
    assert form_key
    return browser.post("/reach-out", data={"csrf_token": page.csrf_token(), "form_key": form_key.group(1), **data})


def test_a_journey_and_a_call_back_request_log_nothing_personal(app, browser, caplog):
    caplog.set_level(logging.DEBUG)
    # SQLAlchemy keeps its own loggers at WARNING unless told otherwise; open them up too.
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    # The app's own logger directly, in case a deployment stops it propagating to the root.
    kept = Keep()
    app.logger.addHandler(kept)
    app.logger.setLevel(logging.DEBUG)
    try:
        walk(browser, FULL)
        browser.get("/results")
        page = browser.get("/reach-out")
        # First with a mistake (the error path echoes the values back into the page, not the log)...
        page = _send(browser, page, {**CALLBACK, "email": "quintessa.brightwater@", "consent": ""})
        assert page.has_error_summary()
        # ...then corrected and sent.
        page = _send(browser, page, CALLBACK)
        assert browser.history[-1] == "/reach-out/requested"
        reference = re.search(r'<strong class="reference"><bdi dir="ltr">([0-9A-Z-]+)</bdi>', page.html)
        assert reference
        stored = app.extensions["services"].callbacks.get(reference.group(1))
        assert stored.details["name"] == CALLBACK["name"]
        browser.get("/reach-out/requested")
        browser.get("/reach-out")
    finally:
        app.logger.removeHandler(kept)
        app.logger.setLevel(logging.NOTSET)

    records = [*caplog.records, *kept.records]
    assert any(record.name.startswith("sqlalchemy") for record in records), "SQL was not captured"
    logged = _logged_text(records)
    for piece in PERSONAL_PIECES:
        assert piece not in logged, f"{piece!r} is in the logs"
        assert piece.lower() not in logged.lower(), f"{piece!r} is in the logs"
    words = set(re.findall(r"\w+", logged))
    for code in answer_codes():
        assert code not in words, f"the answer code {code!r} is in the logs"
