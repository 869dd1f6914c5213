"""Static files under content-hashed names, cached for a year; plain names still work, briefly cached."""

from __future__ import annotations

import re

from tests.support.site_pages import collect_pages
from tests.support.staff import signed_in
from wizard.platform.assets import HASH_LENGTH, LONG_CACHE, SHORT_CACHE, Manifest, content_hash

ASSET = re.compile(r'<(?:link|script|img|source)\b[^>]*?(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(rf"^/static/(?P<stem>[^/]+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})\.(?P<ext>\w+)$")


def _assets(pages: dict[str, str]) -> dict[str, str]:
    """Every static URL the pages load, with a page that loads it."""
    found: dict[str, str] = {}
    for name, html in pages.items():
        for url in ASSET.findall(html):
            found.setdefault(url, name)
    return found


def test_every_asset_the_pages_load_has_a_hashed_name_and_a_long_cache(app, browser):
    pages = collect_pages(browser)
    staff = signed_in(app)
    pages["staff-inbox"] = staff.get("/staff").html
    pages["staff-guide"] = staff.get("/staff/guide").html
    assets = _assets(pages)
    # The stylesheet, the script, the icon, the staff stylesheet and the staff guide's script.
    assert len(assets) >= 5, assets
    client = app.test_client()
    for url, page in assets.items():
        match = HASHED.match(url)
        assert match, f"{page} loads {url} without a content hash in its name"
        response = client.get(url)
        assert response.status_code == 200, f"{page}: {url} gives {response.status_code}"
        assert response.headers["Cache-Control"] == LONG_CACHE, url
        # The hash is the hash of what is sent.
        plain = client.get(f"/static/{match['stem']}.{match['ext']}")
        assert plain.status_code == 200
        assert content_hash(plain.data) == match["hash"] == content_hash(response.data)
        # Nothing about the person on an asset: no cookie set, no session read.
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")


def test_the_plain_name_works_with_a_short_cache(client):
    response = client.get("/static/wizard.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == SHORT_CACHE
    assert response.mimetype == "text/css"


def test_an_old_or_made_up_hash_is_not_served(client):
    assert client.get("/static/wizard.0123456789ab.css").status_code == 404
    missing = client.get("/static/nothing-here.0123456789ab.css")
    assert missing.status_code == 404
    # An error page is a page: never cached.
    assert missing.headers["Cache-Control"] == "no-store"


def test_the_embed_loader_keeps_its_own_address(client):
    response = client.get("/embed/v1/loader.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_the_hash_changes_when_the_file_changes(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black; }\n")
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("void 0;\n")
    (tmp_path / "LICENSE").write_text("MIT\n")
    before = Manifest(tmp_path)
    names = before.names()
    assert re.fullmatch(r"site\.[0-9a-f]{12}\.css", names["site.css"])
    assert re.fullmatch(r"js/app\.[0-9a-f]{12}\.js", names["js/app.js"])
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{12}", names["LICENSE"])
    assert before.resolve(names["site.css"]) == ("site.css", True)
    assert before.resolve("site.css") == ("site.css", False)

    (tmp_path / "site.css").write_text("body { color: navy; }\n")
    after = Manifest(tmp_path)
    assert after.url_name("site.css") != names["site.css"]
    assert after.url_name("js/app.js") == names["js/app.js"]  # unchanged file, unchanged name
    # The old name no longer resolves to the file: it would be the new content under the old name.
    assert after.resolve(names["site.css"]) == (names["site.css"], False)


def test_in_development_the_hash_follows_edits_without_a_restart(tmp_path):
    path = tmp_path / "site.css"
    path.write_text("a { color: red; }\n")
    manifest = Manifest(tmp_path, follow_changes=True)
    first = manifest.url_name("site.css")
    path.write_text("a { color: darkred; }\n")
    second = manifest.url_name("site.css")
    assert second != first
    assert manifest.resolve(second) == ("site.css", True)
    assert manifest.resolve(first)[1] is False
