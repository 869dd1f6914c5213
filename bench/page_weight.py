"""Page weight: every page of the integration tests, with everything it loads.

The pages are the ones the HTML-validity test collects (tests/integration,
`collect_pages`: the journey, its error states, results, sharing, reach out,
the information pages, other languages, the embed and the one-page version),
fetched through the Flask test client with `Accept-Encoding: gzip, br` from
the app in production mode (bench/in_process.py), so each size is what the
server really sends. For each page: bytes of HTML, CSS, JavaScript and images,
the number of requests a first visit makes (the page, each distinct asset it
links to, and anything its stylesheets load), and how many of those go to
another host.
"""

from __future__ import annotations

import gzip
import re
import tempfile
from pathlib import Path

from flask.testing import FlaskClient

from tests.support.pages import Browser
from tests.support.site_pages import ASSET, collect_pages

from .in_process import over_https, production_app

ACCEPT_ENCODING = "gzip, br"
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
KINDS = {
    "css": ("css",),
    "js": ("js", "mjs"),
    "images": ("svg", "png", "jpg", "jpeg", "gif", "webp", "avif", "ico"),
    "fonts": ("woff", "woff2", "ttf", "otf"),
}
BUDGET_BYTES = 60 * 1024


def _decode(data: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        import brotli  # only needed, and then installed, when the server sends brotli

        return brotli.decompress(data)
    raise RuntimeError(f"unexpected Content-Encoding {encoding!r}")


class MeasuringClient(FlaskClient):
    """Asks for compressed responses, notes the bytes sent, and hands on the decoded body."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_ENCODING"] = ACCEPT_ENCODING
        self.html_sent: dict[str, int] = {}

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        raw = response.get_data()
        encoding = response.headers.get("Content-Encoding")
        if encoding:
            response.set_data(_decode(raw, encoding))
            del response.headers["Content-Encoding"]
        response.bytes_sent = len(raw)
        if response.mimetype == "text/html":
            self.html_sent[response.get_data(as_text=True)] = len(raw)
        return response


def _kind(url: str) -> str:
    extension = url.split("?")[0].rsplit(".", 1)[-1].lower()
    return next((kind for kind, extensions in KINDS.items() if extension in extensions), "other")


def _is_third_party(url: str) -> bool:
    return url.startswith(("http:", "https:", "//"))


def run(log=print) -> dict:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as folder:
        app = production_app(Path(folder))
        app.test_client_class = MeasuringClient
        client = over_https(app.test_client())
        log("  collecting every page ...")
        pages = collect_pages(Browser(client))
        assets: dict[str, tuple[str, int, list[str]]] = {}

        def asset(url: str) -> tuple[str, int, list[str]]:
            """(kind, bytes sent, URLs it loads in turn) for a local asset."""
            if url not in assets:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: status {response.status_code}")
                nested = []
                if _kind(url) == "css":
                    nested = [u for u in CSS_URL.findall(response.get_data(as_text=True)) if not u.startswith("data:")]
                assets[url] = (_kind(url), response.bytes_sent, nested)
            return assets[url]

        results = {}
        for name, html in pages.items():
            sizes = {"html": client.html_sent[html], **dict.fromkeys(KINDS, 0), "other": 0}
            third_party: list[str] = []
            seen: set[str] = set()
            queue = list(ASSET.findall(html))
            while queue:
                url = queue.pop(0)
                if url in seen or url.startswith("data:"):
                    continue
                seen.add(url)
                if _is_third_party(url):
                    third_party.append(url)
                    continue
                kind, sent, nested = asset(url)
                sizes[kind] += sent
                queue += nested
            total = sum(sizes.values())
            results[name] = {
                **sizes,
                "total": total,
                "requests": 1 + len(seen),
                "third_party": len(third_party),
                "third_party_urls": third_party,
            }
    return {
        "accept_encoding": ACCEPT_ENCODING,
        "budget_bytes": BUDGET_BYTES,
        "pages": results,
        "heaviest": max(results, key=lambda n: results[n]["total"]),
        "third_party_total": sum(p["third_party"] for p in results.values()),
    }
