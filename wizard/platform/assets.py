"""Static files under content-hashed names in production, cached for a year (Flask-Static-Digest).

Templates write ``static_url_for('static', filename='wizard.css')``. In production
that gives ``/static/wizard-<md5>.css``: when the app starts, Flask-Static-Digest's
digester copies every file under its hashed name into a folder of this process
(never into the source tree) with a manifest, and the app serves that folder. A
changed file gets a new name, so browsers and caches may keep each name forever
(``immutable``). Only the current hash of a file is served: an old or made-up one
is a 404, never today's file under yesterday's name. The plain name still works,
with a short cache, for anything linked from outside (partners use
``/embed/v1/loader.js``, a route of its own).

The digest runs at start rather than as the library's build step (``flask digest
compile``, which writes into ``static/``): there is nothing to forget before a deploy,
and the code's folder stays read-only (the systemd unit's ProtectSystem=strict).

Hashed files are also written brotli-compressed at the best quality, once, at start, and sent
as they are to browsers that accept brotli: flask-compress compresses each response at one
quality, the one that suits pages made per request, and a file that never changes deserves
the best (hand-written for that reason, about twenty lines).

In development pages link the plain names, and the browser asks for them again
every time, so an edit shows on the next reload.
The Cache-Control of each name is set here: the library leaves caching to the server.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import mimetypes
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Response, current_app, request, send_from_directory
from flask_static_digest import FlaskStaticDigest, digester

from wizard.platform.folders import signature

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=3600"
# Development: the browser asks again every time (a 304 while unchanged), so an edit shows on reload.
DEVELOPMENT_CACHE = "no-cache"


def build(source: Path | str, target: Path | str) -> dict[str, str]:
    """Copy `source` into `target` with a hashed copy of every file; the manifest {plain: hashed}."""
    target = Path(target)
    shutil.copytree(source, target, dirs_exist_ok=True)
    # The digester announces where it wrote; a server's output is its JSON log lines only.
    with contextlib.redirect_stdout(io.StringIO()):
        digester.compile(f"{target}/", f"{target}/", [], False, False)
    return hashed_names(target)


def hashed_names(folder: Path | str) -> dict[str, str]:
    return json.loads((Path(folder) / "cache_manifest.json").read_text())


PRECOMPRESSED = (".css", ".js", ".svg")


def precompress(folder: Path | str, names) -> None:
    """A `.br` copy of each hashed text file, at brotli's best quality (worth it once, not per request)."""
    for name in names:
        if name.endswith(PRECOMPRESSED):
            path = Path(folder) / name
            path.with_name(path.name + ".br").write_bytes(brotli.compress(path.read_bytes(), quality=11))


def _send_precompressed(name: str | None) -> Response | None:
    """A hashed file's brotli copy, to a browser that accepts brotli."""
    if request.accept_encodings.quality("br") <= 0:
        return None
    if name not in current_app.extensions["static_digest_names"] or not name.endswith(PRECOMPRESSED):
        return None
    response = send_from_directory(
        current_app.static_folder, name + ".br", mimetype=mimetypes.guess_type(name)[0], conditional=True
    )
    response.headers["Content-Encoding"] = "br"
    response.vary.add("Accept-Encoding")
    return response


def _set_cache_control(response: Response, name: str | None) -> Response:
    if response.status_code in (200, 206, 304):
        if name in current_app.extensions["static_digest_names"]:
            response.headers["Cache-Control"] = LONG_CACHE
        else:
            response.headers["Cache-Control"] = DEVELOPMENT_CACHE if current_app.config["DEVELOPMENT"] else SHORT_CACHE
    return response


def _static_files(view):
    """Flask's static view, giving the brotli copy to browsers that take it and each name its cache
    time. Done inside the view rather than by a hook before and after every request, which all the
    other requests (pages, forms, the API) paid for nothing."""

    def static(filename: str) -> Response:
        response = _send_precompressed(filename) or view(filename=filename)
        return _set_cache_control(response, filename)

    return static


def digested(source: Path | str) -> str:
    """The folder of hashed and precompressed copies of `source`, made once per process while
    `source` is unchanged: the three apps of a site, and every site the tests make, share it."""
    return _digest(str(source), signature(source))


@lru_cache(maxsize=4)
def _digest(source: str, _signature: tuple) -> str:
    folder = tempfile.mkdtemp(prefix="wizard-static-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    precompress(folder, build(source, folder).values())
    return folder


def init_app(app: Flask) -> None:
    if not app.config["DEVELOPMENT"]:
        app.static_folder = digested(app.static_folder)
    digest = FlaskStaticDigest(app)
    if app.config["DEVELOPMENT"]:
        digest.manifests.clear()  # plain names, even if someone ran `flask digest compile` on static/
    app.extensions["static_digest_names"] = frozenset(digest.manifests.get("static", {}).values())
    app.view_functions["static"] = _static_files(app.view_functions["static"])
