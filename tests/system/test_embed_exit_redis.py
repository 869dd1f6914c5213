"""Leaving an embed without JavaScript, with the exit ids in Redis (as in production, H2).

Two apps share one Redis, as two instances behind a load balancer do: the
top-level exit reaches one, the frame's cookie comes back to the other, and is
refused. The entry in Redis lasts no longer than the cookie's own idle limit.
"""

from __future__ import annotations

import re
import secrets

import redis

from tests.support.pages import Browser
from wizard import create_app

PARTNER = "example"


def make_app(redis_url: str, secret: str):
    return create_app({"TESTING": True, "SECRET_KEY": secret, "RATELIMIT_STORAGE_URI": redis_url})


def test_an_exit_recorded_in_redis_refuses_the_frames_cookie_on_another_instance(redis_url):
    secret = secrets.token_hex(32)
    first = make_app(redis_url, secret)
    frame = Browser(first.test_client())
    page = frame.answer(frame.get(f"/embed/{PARTNER}/questions"), "myself")
    link = re.search(r'id="quick-exit" href="([^"]+)"', page.html).group(1)
    exit_id = re.fullmatch(rf"/embed/{PARTNER}/exit\?s=([A-Za-z0-9_-]{{22}})", link).group(1)
    cookie = frame.client.get_cookie("wizard_embed").value

    assert first.test_client().get(link).status_code == 303
    keys = [key for key in redis.Redis.from_url(redis_url).scan_iter("*") if exit_id.encode() in key]
    assert len(keys) == 1
    assert 0 < redis.Redis.from_url(redis_url).ttl(keys[0]) <= 30 * 60

    second = make_app(redis_url, secret).test_client()
    second.set_cookie("wizard_embed", cookie)
    assert second.get(f"/embed/{PARTNER}/questions").location == f"/embed/{PARTNER}/questions/who"
