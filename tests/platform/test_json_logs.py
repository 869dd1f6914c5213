"""The production log path: JSON lines, one per request, holding nothing a person told us.

The app's loggers go through the same JsonFormatter that gunicorn.conf.py installs, at
DEBUG and with SQL included, while a person walks the journey, asks for a call-back and
opens a share link. Every line must be a JSON object; no answer, contact detail, message,
query string or share code may appear in any of them.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest

from tests.support.answers import CALLBACK, FULL, PERSONAL_PIECES, answer_codes
from tests.support.callbacks import form_key
from tests.support.journey import walk
from wizard.platform.logging_setup import REQUEST_LOGGER, JsonFormatter, RequestLog, configure_logging


@pytest.fixture
def json_log():
    """Every logger's records, as the JSON lines a production server writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    saved = root.level, logging.getLogger("sqlalchemy").level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy").setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        logging.getLogger("sqlalchemy").setLevel(saved[1])


def _lines(stream: io.StringIO) -> list[dict]:
    text = stream.getvalue()
    assert text.endswith("\n")
    lines = text.splitlines()
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"line {number} is not JSON: {line[:200]!r}")
        assert isinstance(entry, dict)
        assert {"time", "level", "logger", "message"} <= set(entry), entry
        entries.append(entry)
    return entries


def test_a_journey_a_call_back_and_a_share_link_log_json_without_anything_personal(app, browser, json_log):
    walk(browser, FULL)
    browser.get("/results?lang=pt")
    browser.get("/results?lang=en")
    page = browser.get("/results/share")
    link = re.search(r'id="share-link" type="text" value="http://localhost(/shared/([^"]+))"', page.html)
    assert link
    path, code = link.group(1), link.group(2)
    page = browser.get("/reach-out")
    data = {**CALLBACK, "csrf_token": page.csrf_token(), "form_key": form_key(page)}
    page = browser.post("/reach-out", data=data)
    assert browser.history[-1] == "/reach-out/requested"
    # Someone else opens the link, and its printable plan.
    other = browser.client.application.test_client()
    assert other.get(path).data
    assert other.get(path + "/plan?lang=ar").data
    # And the one-page form, whose answers are in the body, not the session.
    one_page = browser.get("/all-questions")
    browser.post("/all-questions", data={"csrf_token": one_page.csrf_token(), **FULL})

    entries = _lines(json_log)
    text = json_log.getvalue()
    assert any(e["logger"].startswith("sqlalchemy") for e in entries), "SQL was not captured"
    for piece in PERSONAL_PIECES:
        assert piece.lower() not in text.lower(), f"{piece!r} is in the logs"
    words = set(re.findall(r"\w+", text))
    for answer in answer_codes():
        assert answer not in words, f"the answer code {answer!r} is in the logs"
    assert code not in text and code[:20] not in text, "the share code is in the logs"
    assert "lang=" not in text and "?" not in "".join(e.get("route") or "" for e in entries)

    requests = [e for e in entries if e["logger"] == REQUEST_LOGGER]
    routes = {e["route"] for e in requests}
    assert {"/questions/<question_id>", "/results", "/reach-out", "/shared/<code>", "/shared/<code>/plan"} <= routes
    for entry in requests:
        assert set(entry) == {
            "time",
            "level",
            "logger",
            "message",
            "pid",
            "request_id",
            "method",
            "route",
            "status",
            "duration_ms",
        }
        assert entry["method"] in {"GET", "POST"}
        assert re.fullmatch(r"[0-9a-f]{16}", entry["request_id"])
        assert isinstance(entry["status"], int) and entry["duration_ms"] >= 0
    posted = [e for e in requests if e["route"] == "/reach-out" and e["method"] == "POST"]
    assert [e["status"] for e in posted] == [303]


def test_a_path_that_matches_no_route_is_not_logged_as_typed(client, json_log):
    assert client.get("/shared-typo/Quintessa-Marlowe?phone=447911123456").data
    entries = [e for e in _lines(json_log) if e["logger"] == REQUEST_LOGGER]
    assert entries[-1]["route"] is None and entries[-1]["status"] == 404
    assert "Quintessa" not in json_log.getvalue() and "447911123456" not in json_log.getvalue()


def test_a_request_ended_before_its_view_is_logged_with_its_route(client, json_log):
    """The route is noted when the request ends, however it ended: an unknown partner refused
    while the URL is read, the console's sign-in check answering before any view runs."""
    assert client.get("/embed/nobody-Quintessa/questions/who").status_code == 404
    assert client.get("/staff?name=Quintessa").status_code == 303
    entries = [e for e in _lines(json_log) if e["logger"] == REQUEST_LOGGER]
    assert [(e["method"], e["route"], e["status"]) for e in entries[-2:]] == [
        ("GET", "/embed/<partner>/questions/<question_id>", 404),
        ("GET", "/staff", 303),
    ]
    assert "Quintessa" not in json_log.getvalue()


def test_the_request_id_from_the_proxy_is_kept_and_echoed(client, json_log):
    response = client.get("/", headers={"X-Request-ID": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"})
    assert response.data
    assert response.headers["X-Request-ID"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    entry = [e for e in _lines(json_log) if e["logger"] == REQUEST_LOGGER][-1]
    assert entry["request_id"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    # Something that is not an id (here, a phone number with spaces) is replaced by one of ours.
    response = client.get("/", headers={"X-Request-ID": "+44 7911 123456"})
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"])
    # Whole digit groups with their space: four digits alone can turn up in a random id or a time.
    assert "7911 123456" not in json_log.getvalue() and "7911123456" not in json_log.getvalue()


def test_health_probes_are_logged_at_debug_only(client, json_log):
    assert client.get("/healthz").data == b"ok\n"
    assert client.get("/readyz").get_json()["status"] == "ready"
    probes = [e for e in _lines(json_log) if e["logger"] == REQUEST_LOGGER]
    assert [(e["route"], e["level"]) for e in probes] == [("/healthz", "DEBUG"), ("/readyz", "DEBUG")]


def test_other_fields_put_on_a_record_are_dropped():
    record = logging.LogRecord("wizard.test", logging.WARNING, __file__, 1, "sent %s", ("a request",), None)
    record.phone = "+44 7911 123456"
    record.route = "/shared/<code>"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "sent a request"
    assert entry["route"] == "/shared/<code>"
    assert "phone" not in entry and "7911 123456" not in json.dumps(entry)


def test_configure_logging_adds_one_json_handler_only_when_none_is_set(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    configure_logging("INFO", stream=stream)
    assert len(root.handlers) == 1
    logging.getLogger("wizard.test").info("hello")
    assert json.loads(stream.getvalue())["message"] == "hello"


def test_a_request_line_for_whatever_the_app_answers():
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            kept.append(record)

    logger = logging.getLogger("wizard.test.requests")
    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)
    headers: list = []

    def app(environ, start_response):
        start_response("418 I'm a teapot", [("Content-Type", "text/plain"), ("X-Request-ID", "from-the-app")])
        return [b"short and stout"]

    def broken(environ, start_response):
        raise RuntimeError("boom")

    body = RequestLog(app, logger)({"REQUEST_METHOD": "BREW"}, lambda status, h, exc=None: headers.extend(h))
    assert b"".join(body) == b"short and stout"
    assert [value for name, value in headers if name == "X-Request-ID"] == [kept[0].request_id]
    with pytest.raises(RuntimeError):
        RequestLog(broken, logger)({"REQUEST_METHOD": "GET"}, lambda *a: None)
    assert [(r.method, r.route, r.status) for r in kept] == [("OTHER", None, 418), ("GET", None, 500)]


def test_a_rate_limit_is_logged_without_the_clients_address(tmp_path, json_log):
    from tests.support.callbacks import send
    from tests.support.pages import Browser
    from wizard import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'limited.sqlite3'}",
            "CALLBACK_RATE_LIMIT": "1 per hour",
        }
    )
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    browser = Browser(client)
    send(browser, browser.get("/reach-out"))
    assert send(browser, browser.get("/reach-out")).status == 429
    messages = [e["message"] for e in _lines(json_log)]
    assert "rate limit 1 per 1 hour reached at endpoint contact.reach_out" in messages
    assert "198.51.100.23" not in json_log.getvalue()


@pytest.mark.parametrize(
    ("message", "args", "shown"),
    [
        ("Error handling request %s %s", ("GET", "/shared/SEALED?lang=ar"), "Error handling request"),
        ("Error handling request %s", ("/results?x=1",), "Error handling request"),
        (
            "Invalid request from ip=203.0.113.9: Invalid HTTP request line: 'GET /shared/SEALED'",
            (),
            "Invalid request (not HTTP, or malformed)",
        ),
        ("Booting worker with pid: %s", (1234,), "Booting worker with pid: 1234"),
    ],
)
def test_gunicorn_messages_lose_addresses_and_request_lines(message, args, shown):
    from wizard.platform.logging_setup import install_redaction

    install_redaction()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("gunicorn.error")
    logger.addHandler(handler)
    try:
        logger.error(message, *args)
    finally:
        logger.removeHandler(handler)
    assert json.loads(stream.getvalue())["message"] == shown


def test_a_slow_request_is_a_warning_with_its_duration():
    """D8: a request held up by a lock or a hung server must reach an operator who alerts on warnings."""
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            kept.append(record)

    logger = logging.getLogger("wizard.test.slow")
    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            time.sleep(0.3)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    log = RequestLog(app, logger, slow_seconds=0.2)
    for path in ("/quick", "/slow"):
        b"".join(log({"REQUEST_METHOD": "GET", "PATH_INFO": path}, lambda *a: None))
    assert [(r.levelname, r.getMessage()) for r in kept] == [
        ("INFO", "GET (no route) 200"),
        ("WARNING", "GET (no route) 200 (slow)"),
    ]
    assert kept[1].duration_ms >= 300


@pytest.mark.parametrize(("setting", "seconds"), [("2.5", 2.5), ("", 5.0), ("soon", 5.0), ("-1", 5.0)])
def test_the_slow_request_threshold_comes_from_the_settings(setting, seconds):
    from wizard.platform.logging_setup import slow_request_seconds

    assert slow_request_seconds({"SLOW_REQUEST_SECONDS": setting}) == seconds


def test_a_handled_redis_outage_is_one_warning_line_without_a_traceback():
    """D11: flask-limiter logged "Swallowing error" with a full traceback each time Redis failed
    while it carried on; now one WARNING naming the error's type, at most once a minute."""
    from wizard.platform.logging_setup import QuietStorageErrors, install_redaction

    install_redaction()
    logger = logging.getLogger("flask-limiter")
    for quiet in logger.filters:
        if isinstance(quiet, QuietStorageErrors):
            quiet._last = -QuietStorageErrors.EVERY  # as if none was logged in the last minute
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    try:
        for _time in range(3):
            try:
                raise ConnectionError("Error 111 connecting to redis.internal:6379. Connection refused.")
            except ConnectionError:
                logger.exception("Failed to rate limit. Swallowing error")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines == [
        {
            **{key: lines[0][key] for key in ("time", "pid")},
            "level": "WARNING",
            "logger": "flask-limiter",
            "message": "rate limit storage unreachable (ConnectionError); carrying on without it",
        }
    ]
    assert "redis.internal" not in stream.getvalue()
