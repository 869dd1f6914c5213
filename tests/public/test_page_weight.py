"""Pages stay light and self-contained: under 60 KB transferred, nothing from other hosts."""

from __future__ import annotations

import pytest

from tests.support.site_pages import ASSET, collect_pages

BUDGET = 60 * 1024


@pytest.fixture
def pages(browser):
    return collect_pages(browser)


def transferred(client, url: str) -> int:
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, url
    return len(response.data)


def test_every_page_under_budget_with_everything_it_loads(client, pages):
    import gzip

    asset_cache: dict[str, int] = {}
    for name, html in pages.items():
        assets = ASSET.findall(html)
        for url in assets:
            assert url.startswith("/"), f"{name}: {url} is not from this site"
            if url not in asset_cache:
                asset_cache[url] = transferred(client, url)
        # The page itself as the server sends it (gzip), plus every asset it loads.
        total = len(gzip.compress(html.encode(), 6)) + sum(asset_cache[u] for u in assets)
        assert total < BUDGET, f"{name}: {total} bytes"


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    # More in test_compression.py: brotli first, gzip for the rest.
    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert len(packed.data) < len(plain.data)
    assert "Accept-Encoding" in packed.headers["Vary"]


def test_no_reference_to_other_hosts(pages):
    for name, html in pages.items():
        for url in ASSET.findall(html):
            assert not url.startswith(("http:", "https:", "//")), (name, url)
        assert "fonts.googleapis" not in html
        assert "<iframe" not in html, name
