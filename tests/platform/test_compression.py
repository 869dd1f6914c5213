"""Text responses are sent with brotli when the browser accepts it, gzip otherwise."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _decode(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip, deflate, br, zstd", "br"),  # what browsers send over HTTPS
        ("br", "br"),
        ("gzip, deflate", "gzip"),  # what browsers send over plain HTTP, and many tools
        ("br;q=0, gzip", "gzip"),  # q=0 means "not this one"
        ("*", "br"),
        ("identity", None),
        ("", None),
    ],
)
def test_the_encoding_follows_accept_encoding(client, accept, expected):
    plain = client.get("/")
    response = client.get("/", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    # The same page, whatever it was packed with (the CSRF-free start page is the same each time).
    assert _decode(response) == plain.data
    if expected:
        assert int(response.headers["Content-Length"]) == len(response.data) < len(plain.data)


def test_brotli_beats_gzip_on_pages(client):
    # Pages only: at the quality chosen for pages, the long-cached stylesheet comes out a little bigger.
    for url in ["/", "/privacy", "/accessibility", "/staying-safe-online"]:
        br = client.get(url, headers={"Accept-Encoding": "br"})
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        if br.headers.get("Content-Encoding") is None:
            assert len(br.data) < 1024, f"{url} is not compressed"  # too small to be worth it
            continue
        assert _decode(br) == _decode(gz)
        assert len(br.data) < len(gz.data), url


def test_static_files_keep_a_usable_etag_when_compressed(client):
    page = client.get("/").get_data(as_text=True)
    css = next(url for url in ASSET.findall(page) if url.endswith(".css"))
    plain = client.get(css)
    first = client.get(css, headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    etag = first.headers["ETag"]
    # Other bytes than the file's: a tag of their own, so no cache mixes the two up.
    assert etag not in (plain.headers["ETag"], client.get(css, headers={"Accept-Encoding": "gzip"}).headers["ETag"])
    again = client.get(css, headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304
    # The same bytes every time, for caches that compare them.
    assert client.get(css, headers={"Accept-Encoding": "br"}).data == first.data


def test_binary_small_and_error_responses_are_left_alone(client):
    assert "Content-Encoding" not in client.get("/healthz", headers={"Accept-Encoding": "br, gzip"}).headers
    missing = client.get("/no-such-page", headers={"Accept-Encoding": "br, gzip"})
    assert missing.status_code == 404
    assert "Content-Encoding" not in missing.headers
