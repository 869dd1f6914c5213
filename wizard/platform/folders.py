"""A folder's contents as a value that changes when any file in it changes: the key for what is
read or built from a folder once per process (the rules, the digested static files)."""

from __future__ import annotations

from pathlib import Path


def signature(folder: Path | str) -> tuple:
    folder = Path(folder)
    files = sorted(folder.rglob("*")) if folder.is_dir() else []
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file())
