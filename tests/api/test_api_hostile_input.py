"""L2 and I12: hostile JSON bodies get a problem document, never a 500 or a traceback in the
log, and the answer to a large bad body stays small."""

from __future__ import annotations

import json
import logging

import pytest

from tests.support.operator import set_operator
from wizard import create_app

PROBLEM = "application/problem+json"


def _post(client, raw: str):
    return client.post("/api/v1/match", data=raw.encode("utf-8"), content_type="application/json")


@pytest.mark.parametrize(
    "raw",
    [
        '{"answers": {"who": "\\ud800"}}',  # a lone surrogate as a value
        '{"answers": {"\\udfff": "myself"}}',  # as an answers key
        '{"\\ud800": 1, "answers": {}}',  # as a body key
        '{"answers": {"substances": ["\\ud800\\ud800", "alcohol"]}}',
    ],
)
def test_a_lone_surrogate_is_a_problem_document_not_a_500(client, raw):
    response = _post(client, raw)
    assert response.status_code in (400, 422)
    assert response.mimetype == PROBLEM
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == response.status_code


def test_many_unknown_keys_are_listed_up_to_a_cap_and_long_values_are_cut(client):
    body = {"answers": {"who": "x" * 5000}, **{f"k{n}": n for n in range(400)}}
    raw = json.dumps(body)
    response = _post(client, raw)
    assert response.status_code == 422
    problem = response.get_json()
    assert len(problem["errors"]) == 51
    assert (
        problem["errors"][-1]["message"].startswith("and ")
        and "more problems not listed" in problem["errors"][-1]["message"]
    )
    assert len(response.get_data()) < len(raw)
    assert "x" * 41 not in response.get_data(as_text=True)


def test_production_logs_an_exception_flask_catches_by_its_type_only(monkeypatch, caplog):
    monkeypatch.setenv("WIZARD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("PUBLIC_HOST", "localhost")
    set_operator(monkeypatch)
    app = create_app({"EXIT_URL": "https://example.org/weather"})

    class Failing(Exception):
        pass

    @app.route("/__failing")
    def failing():
        raise Failing("typed by a person: opioids")

    @app.errorhandler(Failing)
    def handler_that_fails(_error):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/__failing")
    assert response.status_code == 500
    logged = "\n".join(
        record.getMessage() + str(record.exc_info or "") + str(record.exc_text or "") for record in caplog.records
    )
    assert "UnicodeEncodeError" in logged
    assert "Traceback" not in logged and "opioids" not in logged and "surrogates not allowed" not in logged
    assert all(record.exc_info is None for record in caplog.records)
