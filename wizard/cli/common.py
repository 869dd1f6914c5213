"""What the command groups share: the app's storage, opened without a web server.

May import the wizard package itself (which builds the app on demand) and nothing
from the command modules, so no command module ever imports back from another.
"""

from __future__ import annotations

from wizard import create_app


def open_storage() -> dict:
    """The database, stores and keys the app would use, from the same environment; no server starts."""
    return create_app().extensions
