"""A worker loads the directory's index when it starts, not on its first results page; a database
that is down never stops it from starting."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

from tests.support.directory import a_listing
from wizard.domain.directory.index import EMPTY, DirectoryIndex, Entry
from wizard.platform.directory import Directory
from wizard.platform.services import KEY

ROOT = Path(__file__).resolve().parents[2]


class Store:
    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.loads = 0

    def version(self) -> int:
        if self.down:
            raise ConnectionError("database down")
        return 3

    def index(self) -> DirectoryIndex:
        self.loads += 1
        entry = Entry.of(a_listing("Service"), publisher=None, fictional=False, last_checked=None)
        return DirectoryIndex([entry], version=3)


def directory(store, rulebook) -> Directory:
    return Directory(store, rulebook, max_age_months=12, show_fictional=False)


def test_warming_loads_the_index_once_so_the_first_page_reads_nothing(rulebook):
    store = Store()
    warmed = directory(store, rulebook)
    warmed.warm()
    assert store.loads == 1 and warmed.index().size == 1
    assert store.loads == 1


def test_warming_with_the_database_down_leaves_the_index_empty_and_does_not_fail(rulebook, caplog):
    warmed = directory(Store(down=True), rulebook)
    warmed.warm()
    assert warmed.index() is EMPTY
    assert "directory_unavailable" in caplog.text


def test_gunicorn_warms_each_worker_after_loading_the_app(rulebook):
    store = Store()
    shared = SimpleNamespace(directory=directory(store, rulebook))
    site = SimpleNamespace(public=SimpleNamespace(extensions={KEY: shared}))
    hook = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]
    beats = []
    hook(SimpleNamespace(wsgi=site, log=None, notify=lambda: beats.append(1)))
    assert store.loads == 1 and len(beats) == 3


def test_gunicorn_leaves_what_start_up_made_out_of_full_collections(rulebook):
    # A full collection reads every tracked object: with the directory's index loaded, about
    # 150 ms during which a worker's threads all wait. What start-up made is frozen once it is warm.
    shared = SimpleNamespace(directory=directory(Store(), rulebook))
    site = SimpleNamespace(public=SimpleNamespace(extensions={KEY: shared}))
    hook = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]
    gc.unfreeze()
    try:
        hook(SimpleNamespace(wsgi=site, log=None, notify=lambda: None))
        index = shared.directory.index()
        assert gc.get_freeze_count() > 0
        assert not any(index is o for o in gc.get_objects())  # frozen objects are not in any generation
    finally:
        gc.unfreeze()
