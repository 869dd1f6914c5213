"""The journey's links kept once built (wizard/public/embed.py): each the address Flask builds."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from wizard.public.embed import KEPT_LINKS

LINKS = [
    ("questions.question", {"question_id": "faith"}),
    ("questions.question", {"question_id": "who", "change": "1"}),
    ("questions.question", {"question_id": "who", "change": None}),
    *((endpoint, {}) for endpoint, allowed in KEPT_LINKS.items() if not allowed),
]


@pytest.mark.parametrize("path", ["/questions/who", "/embed/example/questions/who"])
@pytest.mark.parametrize("script_root", ["", "/help"])
def test_a_kept_link_is_the_address_flask_builds(app, path, script_root):
    for _ in range(2):  # built, then kept
        with app.test_request_context(path, base_url=f"https://localhost{script_root}/"):
            app.preprocess_request()  # the embed's partner, from the address
            for endpoint, values in LINKS:
                expected_endpoint = "embed_" + endpoint if path.startswith("/embed/") else endpoint
                extra = {"partner": "example"} if path.startswith("/embed/") else {}
                built = Flask.url_for(app, expected_endpoint, **values, **extra)
                assert url_for(endpoint, **values) == built
                assert built.startswith(script_root + ("/embed/example/" if extra else "/"))
    assert app._kept_link.cache_info().hits >= len(LINKS)


def test_only_the_journeys_links_with_codes_are_kept(app):
    with app.test_request_context("/questions/who"):
        app.preprocess_request()
        app._kept_link.cache_clear()
        url_for("pages.quick_exit", s="an-exit-id")  # a visitor's own value: built each time
        url_for("questions.question", question_id="who", _anchor="top")
        url_for("pages.privacy")  # not one of the kept pages
        assert app._kept_link.cache_info().currsize == 0
        url_for("questions.question", question_id="who")
        assert app._kept_link.cache_info().currsize == 1
    assert set(KEPT_LINKS) <= set(app.view_functions)


def test_a_link_kept_for_one_mount_point_is_not_given_for_another(app):
    for root in ("", "/help", "", "/other"):
        with app.test_request_context("/questions/who", base_url=f"https://localhost{root}/"):
            assert url_for("questions.question", question_id="faith") == f"{root}/questions/faith"
