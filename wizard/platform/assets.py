"""Static files under content-hashed names, cached for a year.

``url_for('static', filename='wizard.css')`` gives ``/static/wizard.<hash>.css``,
where the hash is taken from the file's bytes when the app starts: a changed
file gets a new name, so browsers and caches may keep each name forever
(``immutable``). Only the current hash of a file is served under a hashed name;
an old or made-up one is a 404, never today's file under yesterday's name.
The plain name still works, with a short cache, for anything linked from
outside (partners use ``/embed/v1/loader.js``, a route of its own).

In development the hash follows edits without a restart.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, send_from_directory

HASH_LENGTH = 12
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=3600"
# What a hashed name looks like: "wizard.<hash>.css", or "<name>.<hash>" without an extension.
_HASHED = re.compile(rf".\.[0-9a-f]{{{HASH_LENGTH}}}(\.[^./]+)?$")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def hashed_name(filename: str, digest: str) -> str:
    """'css/wizard.css' -> 'css/wizard.<hash>.css'; a name without an extension gets '.<hash>' at its end."""
    folder, _, name = filename.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    # No extension, or a dot file like ".well-known": the hash goes at the end.
    new = f"{name}.{digest}" if not dot or not stem else f"{stem}.{digest}.{ext}"
    return f"{folder}/{new}" if folder else new


@dataclass(frozen=True)
class _Entry:
    hashed: str
    stamp: tuple[int, int]  # (mtime_ns, size) when hashed


class Manifest:
    """Every file under ``folder``: its plain name, and its name with the content hash."""

    def __init__(self, folder: Path | str, follow_changes: bool = False):
        self.folder = Path(folder)
        self.follow_changes = follow_changes
        self._lock = threading.Lock()
        self._by_name: dict[str, _Entry] = {}
        self._by_hashed: dict[str, str] = {}
        self.refresh()

    def refresh(self) -> None:
        by_name: dict[str, _Entry] = {}
        for path in sorted(self.folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(self.folder).as_posix()
                by_name[name] = self._entry(path, name)
        with self._lock:
            self._by_name = by_name
            self._by_hashed = {entry.hashed: name for name, entry in by_name.items()}

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int]:
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size

    def _entry(self, path: Path, name: str) -> _Entry:
        stamp = self._stamp(path)
        return _Entry(hashed_name(name, content_hash(path.read_bytes())), stamp)

    def _current(self, name: str) -> _Entry | None:
        entry = self._by_name.get(name)
        if not self.follow_changes:
            return entry
        path = self.folder / name
        try:
            stamp = self._stamp(path) if path.is_file() else None
        except OSError:
            stamp = None
        if stamp is None:
            return None if entry is None else entry  # removed: let the plain name 404 as usual
        if entry is None or entry.stamp != stamp:
            fresh = self._entry(path, name)
            with self._lock:
                if entry is not None:
                    self._by_hashed.pop(entry.hashed, None)
                self._by_name[name] = fresh
                self._by_hashed[fresh.hashed] = name
            return fresh
        return entry

    def url_name(self, name: str) -> str:
        """The name to put in a URL: hashed if the file is known, else unchanged."""
        entry = self._current(name)
        return entry.hashed if entry is not None else name

    def resolve(self, requested: str) -> tuple[str, bool]:
        """(file to send, whether the request named its current hash)."""
        original = self._by_hashed.get(requested)
        if original is not None:
            entry = self._current(original)
            if entry is not None and entry.hashed == requested:
                return original, True
        return requested, False

    def names(self) -> dict[str, str]:
        return {name: entry.hashed for name, entry in self._by_name.items()}


def manifest() -> Manifest:
    return current_app.extensions["assets"]


def _hash_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = manifest().url_name(values["filename"])


def send_static(filename: str) -> Response:
    """The static route's view: a hashed name for a year, a plain name for an hour."""
    name, hashed = manifest().resolve(filename)
    if not hashed and _HASHED.search(os.path.basename(filename)) and name not in manifest().names():
        # A hashed name that is not current (an old deploy's, or made up): not today's file.
        from werkzeug.exceptions import NotFound

        raise NotFound()
    response = send_from_directory(current_app.static_folder, name, max_age=None, conditional=True)
    response.headers["Cache-Control"] = LONG_CACHE if hashed else SHORT_CACHE
    return response


def init_app(app: Flask) -> None:
    app.extensions["assets"] = Manifest(app.static_folder, follow_changes=bool(app.config.get("DEVELOPMENT")))
    app.url_defaults(_hash_static_urls)
    app.view_functions["static"] = send_static
