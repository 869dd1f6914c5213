"""Durable storage for call-back requests and the staff console's accounts and audit log.

It may import the domain, never Flask or the web apps (import-linter, `make lint`): the
CLI (purge, staff accounts) and the tests use it directly. Personal fields are sealed with a
key from configuration before they reach the database, so a copy of the database alone
reveals nothing personal.
"""

from wizard.storage.crypto import Sealer, SealError
from wizard.storage.db import Database

__all__ = ["Database", "SealError", "Sealer"]
