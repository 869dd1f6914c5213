"""`python -m wizard keys new`: make a data key for DATA_KEYS."""

from __future__ import annotations

import click


@click.group(help="data keys")
def keys() -> None:
    pass


@keys.command(help="print a new key for DATA_KEYS")
def new() -> None:
    # Imported here: the database layer is heavy, and `rules` commands never need it.
    from wizard.storage.crypto import new_key

    print(new_key())
