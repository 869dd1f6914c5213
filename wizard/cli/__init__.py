"""Command line: `python -m wizard` (or the `wizard` script), one click group per subject.

`rules` needs no web app and imports nothing from Flask; `requests`, `staff` and
`run` build the app from the environment, as a server would; `db upgrade` reads
only the database URL. This package may import every layer below it.
"""

from __future__ import annotations

from pathlib import Path

import click

from wizard.cli.db import db
from wizard.cli.directory import directory
from wizard.cli.keys import keys
from wizard.cli.requests import requests
from wizard.cli.rules import rules
from wizard.cli.run import run, serve_check
from wizard.cli.staff import staff
from wizard.platform.settings import PROJECT_ROOT


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rules", "rules_folder", default=str(PROJECT_ROOT / "rules"), help="the rules folder")
@click.pass_context
def cli(ctx: click.Context, rules_folder: str) -> None:
    if not Path(rules_folder).is_dir():
        raise click.UsageError(f"no rules folder at {rules_folder}")
    ctx.obj = rules_folder


for command in (rules, requests, db, keys, staff, directory, run, serve_check):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Run one command and exit with its status (0, 1 for a problem found, 2 for a usage error)."""
    cli.main(args=argv)
