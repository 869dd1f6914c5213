"""The repository's gunicorn.conf.py, plus one test-only fault: a full SQLite disk.

While the file named by WIZARD_TEST_DISK_FULL exists, every connection the app takes
from its pool gets `PRAGMA max_page_count` clamped to the database's current size, so a
write that needs a new page fails with SQLITE_FULL, as on a full disk. The flag is read
on each checkout, so the test turns the fault on and off while the server runs.
(A real tiny filesystem would need root to mount; this needs nothing.)
"""

import os
from pathlib import Path

_conf = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
exec(compile(_conf.read_text(), str(_conf), "exec"))  # noqa: S102 - the repository's own settings

# SQLite's upper bound for max_page_count: no limit.
_UNLIMITED = 4294967294


def post_worker_init(worker):
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    flag = Path(os.environ["WIZARD_TEST_DISK_FULL"])

    @event.listens_for(Pool, "checkout")
    def _disk(dbapi_connection, _record, _proxy):
        # A value below the current size is raised to it: no page can be added.
        pages = 1 if flag.exists() else _UNLIMITED
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")
