"""Behind a reverse proxy: with TRUSTED_PROXIES=N the client's address, the scheme and the host come
from the X-Forwarded-* headers the proxy sets; with 0 (the default) those headers are ignored."""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL
from tests.support.callbacks import send
from tests.support.journey import walk
from tests.support.pages import Browser
from wizard import create_app

PROXIED = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "wizard.example.org"}


def make_app(tmp_path, trusted: int, **overrides):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.sqlite3'}",
            "TRUSTED_PROXIES": trusted,
            **overrides,
        }
    )


def browser_from(app, **environ) -> Browser:
    client = app.test_client()
    client.environ_base.update(environ)
    return Browser(client)


def share_link(browser: Browser) -> str:
    walk(browser, FULL)
    page = browser.get("/results/share")
    match = re.search(r'id="share-link" type="text" value="([^"]+)"', page.html)
    assert match
    return match.group(1)


def test_share_links_use_the_scheme_and_host_the_proxy_was_reached_at(tmp_path):
    app = make_app(tmp_path, trusted=1)
    link = share_link(browser_from(app, **PROXIED, HTTP_REFERER="https://wizard.example.org/"))
    assert link.startswith("https://wizard.example.org/shared/")


def test_without_trusted_proxies_the_headers_are_ignored(tmp_path):
    app = make_app(tmp_path, trusted=0)
    link = share_link(browser_from(app, **PROXIED))
    assert link.startswith("http://localhost/shared/")


def _callbacks_accepted(app, addresses: list[str]) -> list[int]:
    statuses = []
    for forwarded_for in addresses:
        browser = browser_from(app, HTTP_X_FORWARDED_FOR=forwarded_for)
        statuses.append(send(browser, browser.get("/reach-out")).status)
    return statuses


def test_rate_limits_count_per_client_address_from_the_proxy(tmp_path):
    app = make_app(tmp_path, trusted=1, CALLBACK_RATE_LIMIT="1 per hour")
    # Two people behind one proxy: each has their own limit.
    assert _callbacks_accepted(app, ["198.51.100.7", "198.51.100.8"]) == [200, 200]
    # The same person again, and the same person pretending to be someone else: the proxy
    # appends the address it saw, and only that last entry is believed.
    assert _callbacks_accepted(app, ["198.51.100.7", "192.0.2.99, 198.51.100.7"]) == [429, 429]


def test_without_trusted_proxies_a_forged_address_does_not_escape_the_limit(tmp_path):
    app = make_app(tmp_path, trusted=0, CALLBACK_RATE_LIMIT="1 per hour")
    assert _callbacks_accepted(app, ["198.51.100.7", "198.51.100.8"]) == [200, 429]


def test_https_from_the_proxy_turns_on_the_strict_referrer_check(tmp_path):
    app = make_app(tmp_path, trusted=1)
    # Seen as https: a form posted without a same-site Referer is refused, as on a direct https site.
    browser = browser_from(app, **PROXIED)
    assert send(browser, browser.get("/reach-out")).status == 400
    browser = browser_from(app, **PROXIED, HTTP_REFERER="https://wizard.example.org/reach-out")
    assert send(browser, browser.get("/reach-out")).status == 200


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_trusted_proxies_value_is_refused_at_start(tmp_path, monkeypatch, value):
    from wizard.platform.settings import build_config

    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES must be a whole number"):
        build_config(tmp_path)


def _accepted_from(app, environs: list[dict]) -> list[int]:
    statuses = []
    for environ in environs:
        browser = browser_from(app, **environ)
        statuses.append(send(browser, browser.get("/reach-out")).status)
    return statuses


def test_an_instance_reached_directly_believes_no_forwarded_header(tmp_path):
    """M6: with TRUSTED_PROXIES=1, a varying X-Forwarded-For sent straight to the instance used to
    escape the limit (25 of 25 got through). Only a peer in FORWARDED_ALLOW_IPS is believed now."""
    app = make_app(tmp_path, trusted=1, CALLBACK_RATE_LIMIT="1 per hour")
    direct = [{"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"} for n in range(1, 6)]
    assert _accepted_from(app, direct) == [200, 429, 429, 429, 429]
    link = share_link(browser_from(app, REMOTE_ADDR="203.0.113.9", **PROXIED))
    assert link.startswith("http://localhost/shared/")


def test_a_proxy_on_a_listed_network_is_believed(tmp_path):
    app = make_app(tmp_path, trusted=1, CALLBACK_RATE_LIMIT="1 per hour", FORWARDED_ALLOW_IPS="10.0.0.0/24")
    via_proxy = [{"REMOTE_ADDR": "10.0.0.7", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"} for n in range(1, 3)]
    assert _accepted_from(app, via_proxy) == [200, 200]
    # The default loopback proxy is no longer listed: its headers are dropped, so both count as 127.0.0.1.
    loopback = [{"HTTP_X_FORWARDED_FOR": "198.51.100.9"}, {"HTTP_X_FORWARDED_FOR": "198.51.100.10"}]
    assert _accepted_from(app, loopback) == [200, 429]


def test_ipv6_clients_are_limited_by_their_64(tmp_path):
    """One subscriber holds a whole /64: counting each address would give them unlimited tries."""
    app = make_app(tmp_path, trusted=0, CALLBACK_RATE_LIMIT="1 per hour")
    same_64 = [{"REMOTE_ADDR": "2001:db8:0:1::1"}, {"REMOTE_ADDR": "2001:db8:0:1:ffff::2"}]
    assert _accepted_from(app, same_64) == [200, 429]
    assert _accepted_from(app, [{"REMOTE_ADDR": "2001:db8:0:2::1"}]) == [200]
    # An IPv4 client reached over IPv6 is still counted by its IPv4 address.
    assert _accepted_from(app, [{"REMOTE_ADDR": "::ffff:192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.1"}]) == [200, 429]
