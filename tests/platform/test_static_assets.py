"""Static files under content-hashed names in production, cached for a year; plain names still work, briefly cached."""

from __future__ import annotations

import hashlib
import os
import re

import brotli
import pytest

from tests.support.pages import Browser
from tests.support.site_pages import collect_pages
from tests.support.staff import make_app, signed_in
from wizard.platform.assets import DEVELOPMENT_CACHE, LONG_CACHE, SHORT_CACHE, build, digested
from wizard.platform.settings import PROJECT_ROOT

ASSET = re.compile(r'<(?:link|script|img|source)\b[^>]*?(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"^/static/(?P<stem>[^/]+)-(?P<hash>[0-9a-f]{32})\.(?P<ext>\w+)$")


def content_hash(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 (a file name, as Flask-Static-Digest makes it, not a secret)


@pytest.fixture
def production(tmp_path):
    # Production loads no example partner and refuses http origins: one https partner here.
    partners = tmp_path / "partners.yaml"
    partners.write_text(
        "partners:\n  - id: example\n    name: Example\n    allowed_origins: ['https://partner.example.org']\n"
        "    exit_url: https://example.org/weather\n"
    )
    return make_app(
        tmp_path,
        PARTNERS_FILE=str(partners),
        DEVELOPMENT=False,
        WIZARD_ENV="production",
        EXIT_URL="https://example.org/weather",
    )


def _assets(pages: dict[str, str]) -> dict[str, str]:
    """Every static URL the pages load, with a page that loads it."""
    found: dict[str, str] = {}
    for name, html in pages.items():
        for url in ASSET.findall(html):
            found.setdefault(url, name)
    return found


def test_every_asset_the_pages_load_has_a_hashed_name_and_a_long_cache(production):
    pages = collect_pages(Browser(production.test_client()))
    staff = signed_in(production)
    pages["staff-inbox"] = staff.get("/staff").html
    pages["staff-guide"] = staff.get("/staff/guide").html
    assets = _assets(pages)
    # The stylesheet, the script, the icon, the staff stylesheet and the staff guide's script.
    assert len(assets) >= 5, assets
    client = production.test_client()
    for url, page in assets.items():
        match = HASHED.match(url)
        assert match, f"{page} loads {url} without a content hash in its name"
        response = client.get(url)
        assert response.status_code == 200, f"{page}: {url} gives {response.status_code}"
        assert response.headers["Cache-Control"] == LONG_CACHE, url
        # Asked again with its tag: still a year (a 304 refreshes what the browser keeps).
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.headers["Cache-Control"] == LONG_CACHE, url
        # The hash is the hash of what is sent.
        plain = client.get(f"/static/{match['stem']}.{match['ext']}")
        assert plain.status_code == 200
        assert plain.headers["Cache-Control"] == SHORT_CACHE
        assert content_hash(plain.data) == match["hash"] == content_hash(response.data)
        # Nothing about the person on an asset: no cookie set, no session read.
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")


def test_in_development_pages_link_the_plain_names_so_edits_show_at_once(client):
    page = client.get("/").get_data(as_text=True)
    assert set(ASSET.findall(page)) == {"/static/favicon.svg", "/static/wizard.css", "/static/wizard.js"}
    response = client.get("/static/wizard.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    # Asked again on every load, cheaply: a 304 while the file is unchanged.
    assert response.headers["Cache-Control"] == DEVELOPMENT_CACHE
    again = client.get("/static/wizard.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == DEVELOPMENT_CACHE


def test_an_old_or_made_up_hash_is_not_served(production, client):
    for app_client in (production.test_client(), client):
        assert app_client.get("/static/wizard-0123456789abcdef0123456789abcdef.css").status_code == 404
        missing = app_client.get("/static/nothing-here-0123456789abcdef0123456789abcdef.css")
        assert missing.status_code == 404
        # An error page is a page: never cached.
        assert missing.headers["Cache-Control"] == "no-store"


def test_the_source_folder_is_left_as_it_is(production):
    source = PROJECT_ROOT / "static"
    assert production.static_folder != str(source)
    assert not any(re.search(r"-[0-9a-f]{32}\.", name) for name in os.listdir(source))


def test_the_embed_loader_keeps_its_own_address(production, client):
    for app_client in (production.test_client(), client):
        response = app_client.get("/embed/v1/loader.js")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_the_hash_changes_when_the_file_changes(tmp_path):
    source = tmp_path / "source"
    (source / "js").mkdir(parents=True)
    (source / "site.css").write_text("body { color: black; }\n")
    (source / "js" / "app.js").write_text("void 0;\n")
    names = build(source, tmp_path / "before")
    assert re.fullmatch(r"site-[0-9a-f]{32}\.css", names["site.css"])
    assert re.fullmatch(r"js/app-[0-9a-f]{32}\.js", names["js/app.js"])
    assert (tmp_path / "before" / names["site.css"]).read_bytes() == (source / "site.css").read_bytes()

    (source / "site.css").write_text("body { color: navy; }\n")
    after = build(source, tmp_path / "after")
    assert after["site.css"] != names["site.css"]
    assert after["js/app.js"] == names["js/app.js"]  # unchanged file, unchanged name
    # The old name is not in the new folder: it would be the new content under the old name.
    assert not (tmp_path / "after" / names["site.css"]).exists()
    assert not list(source.rglob("*-*")), "the source folder is never written"


def test_hashed_text_files_go_to_brotli_browsers_compressed_once_at_the_best_quality(production):
    page = production.test_client().get("/").get_data(as_text=True)
    stylesheet = next(url for url in ASSET.findall(page) if url.endswith(".css"))
    source = (PROJECT_ROOT / "static" / "wizard.css").read_bytes()
    client = production.test_client()
    sent = client.get(stylesheet, headers={"Accept-Encoding": "gzip, br"})
    assert sent.headers["Content-Encoding"] == "br" and "Accept-Encoding" in sent.vary
    assert sent.headers["Cache-Control"] == LONG_CACHE and sent.mimetype == "text/css"
    assert sent.data == brotli.compress(source, quality=11)
    assert (
        client.get(stylesheet, headers={"Accept-Encoding": "br", "If-None-Match": sent.headers["ETag"]}).status_code
        == 304
    )
    # Browsers without brotli get gzip (flask-compress), and without either the file itself.
    assert client.get(stylesheet, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    plain = client.get(stylesheet, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data == source


def test_the_static_files_are_digested_once_for_all_apps_and_again_after_an_edit(production, tmp_path):
    site = production.site
    assert site.staff.static_folder == site.api.static_folder == production.static_folder
    source = tmp_path / "static"
    source.mkdir()
    (source / "a.css").write_text("p { color: black }")
    first = digested(source)
    assert digested(source) == first
    (source / "a.css").write_text("p { color: navy }")
    assert digested(source) != first
