"""How account events are told in the audit log: who acted from the command line, and where a sign-in came from."""

from __future__ import annotations

from wizard.storage.staff_accounts.sign_in_sources import Source

# The actor of changes made with `python -m wizard staff ...`.
COMMAND_LINE = "command line"


def audit_detail(what: str, source: Source) -> str:
    """What happened (if anything needs saying), then where from."""
    return f"{what}; {source.describe()}" if what else source.describe()
