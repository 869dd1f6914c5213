""" "Leave this site" in a partner's frame forgets the answers even without JavaScript (H2).

In the frame the answers are in a partitioned cookie. The exit link leaves the
partner's whole page with a top-level request, which the browser sends without
that cookie (here: a second test client with no cookies). The attack from the
review: after that exit, the frame's cookie, still in its jar, reopened the
journey where it was. Now the exit records the session's exit id, and the
cookie is refused and deleted when it comes back.
"""

from __future__ import annotations

import logging
import re
import secrets

import pytest

from tests.support.pages import Browser
from wizard.platform import quick_exit
from wizard.platform.rate_limits import limiter

PARTNER = "example"
PARTNER_EXIT = "https://www.bbc.co.uk/weather"
EXIT_LINK = re.compile(r'id="quick-exit" href="([^"]+)"')


def answer_two_questions(browser) -> str:
    """Answer who and country in the frame; return the page's exit link."""
    page = browser.get(f"/embed/{PARTNER}/questions")
    page = browser.answer(page, "myself")
    page = browser.answer(page, "GB")
    assert browser.history[-1] == f"/embed/{PARTNER}/questions/danger"
    return EXIT_LINK.search(page.html).group(1)


def exit_id_of(link: str) -> str:
    match = re.fullmatch(rf"/embed/{PARTNER}/exit\?s=([A-Za-z0-9_-]{{22}})", link)
    assert match, f"the exit link carries no exit id: {link}"
    return match.group(1)


def assert_starts_again(client) -> None:
    """The frame's cookie comes back: it opens nothing, and is deleted."""
    response = client.get(f"/embed/{PARTNER}/questions")
    assert response.status_code == 303
    assert response.location == f"/embed/{PARTNER}/questions/who"
    deleted = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("wizard_embed=")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]
    page = Browser(client).get(f"/embed/{PARTNER}/questions/who")
    assert "checked" not in page.html


def test_leaving_without_javascript_refuses_the_frames_cookie_when_it_comes_back(app, browser, client):
    link = answer_two_questions(browser)
    exit_id_of(link)
    kept = client.get_cookie("wizard_embed").value
    # The top-level request: no partitioned cookie goes with it.
    response = app.test_client().get(link)
    assert response.status_code == 303
    # The partner's exit page gets neither the id nor a referrer.
    assert response.location == PARTNER_EXIT
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The cookie is still in the frame's jar, unchanged...
    assert client.get_cookie("wizard_embed").value == kept
    # ...and reopening the partner's page starts from the beginning.
    assert_starts_again(client)


def test_before_the_fix_the_frames_cookie_resumed_the_journey(app, browser, client):
    """The same steps with a plain /exit link (what the page used to show): the answers survive.

    This is why the id is needed: without it the server has no way to know."""
    answer_two_questions(browser)
    assert app.test_client().get(f"/embed/{PARTNER}/exit").status_code == 303
    response = client.get(f"/embed/{PARTNER}/questions")
    assert response.location == f"/embed/{PARTNER}/questions/danger"


def test_leaving_from_inside_the_frame_deletes_the_cookie_and_refuses_a_copy(app, browser, client):
    link = answer_two_questions(browser)
    copy = client.get_cookie("wizard_embed").value
    # With JavaScript the frame asks for the exit itself, so the cookie comes with it.
    response = client.get(link)
    assert response.status_code == 303
    assert "cookies" in response.headers["Clear-Site-Data"]
    assert client.get_cookie("wizard_embed") is None
    # A copy taken before leaving opens nothing either.
    client.set_cookie("wizard_embed", copy)
    assert_starts_again(client)


def test_each_embedded_session_has_its_own_exit_id_and_an_empty_one_needs_none(app):
    first, second = Browser(app.test_client()), Browser(app.test_client())
    ids = {exit_id_of(answer_two_questions(first)), exit_id_of(answer_two_questions(second))}
    assert len(ids) == 2  # the link is never kept in a shared fragment
    fresh = Browser(app.test_client()).get(f"/embed/{PARTNER}/")
    assert EXIT_LINK.search(fresh.html).group(1) == f"/embed/{PARTNER}/exit"
    # The site's own pages clear their first-party cookie directly: no id there.
    walked = Browser(app.test_client())
    page = walked.answer(walked.get("/questions"), "myself")
    assert EXIT_LINK.search(page.html).group(1) == "/exit"


@pytest.mark.parametrize("value", ["", "short", "x" * 22 + "/", "../" * 8, "%00" * 22, "a" * 5000, "é" * 22])
def test_any_exit_id_in_the_address_still_leaves(client, value):
    response = client.get(f"/embed/{PARTNER}/exit", query_string={"s": value})
    assert response.status_code == 303
    assert response.location == PARTNER_EXIT


def test_the_exit_id_is_never_logged(app, browser, client, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    link = answer_two_questions(browser)
    exit_id = exit_id_of(link)
    app.test_client().get(link)
    client.get(f"/embed/{PARTNER}/questions")
    captured = capsys.readouterr()
    assert exit_id not in caplog.text + captured.out + captured.err


def test_if_the_storage_fails_the_person_still_leaves_and_the_cookie_is_refused(
    app, browser, client, caplog, monkeypatch
):
    link = answer_two_questions(browser)

    def broken(*args, **kwargs):
        raise ConnectionError("storage down")

    monkeypatch.setattr(limiter.storage, "incr", broken)
    monkeypatch.setattr(limiter.storage, "get", broken)
    caplog.set_level(logging.WARNING)
    response = app.test_client().get(link)
    assert response.status_code == 303 and response.location == PARTNER_EXIT
    assert "quick exit: could not record the exit: ConnectionError" in caplog.text
    # Whether this session left cannot be known: fail closed, the answers are not used.
    response = client.get(f"/embed/{PARTNER}/questions")
    assert response.location == f"/embed/{PARTNER}/questions/who"
    assert "cannot read the list of sessions that left" in caplog.text
    assert exit_id_of(link) not in caplog.text


def test_exits_from_one_address_are_recorded_only_up_to_a_limit(app, caplog):
    client = app.test_client()
    ids = [secrets.token_urlsafe(16) for _ in range(quick_exit.MAX_RECORDED_PER_MINUTE + 1)]
    for exit_id in ids:
        assert client.get(f"/embed/{PARTNER}/exit", query_string={"s": exit_id}).status_code == 303
    with app.test_request_context():
        assert quick_exit.has_left(ids[0])
        # The list cannot be filled from one address; the person still left.
        assert not quick_exit.has_left(ids[-1])
    assert "too many exits from one address" in caplog.text


def test_moving_within_an_ipv6_64_does_not_escape_the_limit(app, caplog):
    client = app.test_client()
    ids = [secrets.token_urlsafe(16) for _ in range(quick_exit.MAX_RECORDED_PER_MINUTE + 1)]
    for n, exit_id in enumerate(ids):
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:0:7::{n + 1:x}"
        assert client.get(f"/embed/{PARTNER}/exit", query_string={"s": exit_id}).status_code == 303
    with app.test_request_context():
        assert quick_exit.has_left(ids[0])
        assert not quick_exit.has_left(ids[-1])
