"""WSGI entry point for a production server, e.g. `gunicorn wsgi:app`: the whole site (public
pages, staff console and API) as one callable."""

import contextlib
import ctypes
import sys

from wizard import create_site

# glibc's M_ARENA_MAX: each worker thread otherwise gets a malloc arena of its own, and what one
# thread frees stays in its arena for good. Two arenas for a worker's four threads keep some 5 MB
# less per worker after many visitors, the threads spending nearly all their time under the GIL.
M_ARENA_MAX = -8
MALLOC_ARENAS = 2


def _fewer_malloc_arenas() -> None:
    """Where glibc is the C library (it reads MALLOC_ARENA_MAX itself when that is set)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, MALLOC_ARENAS)


_fewer_malloc_arenas()
app = create_site()
