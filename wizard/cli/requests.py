"""`python -m wizard requests purge|check-keys`: retention and key checks for call-back requests."""

from __future__ import annotations

import re
import sys
from datetime import timedelta

import click

from wizard.cli.common import open_storage

DURATION = re.compile(r"^(\d+)([dh])$")
# Open requests are people waiting for a call: the upper bound is months, not hours.
OPEN_BOUND_MIN = timedelta(days=30)


def parse_duration(text: str) -> timedelta:
    """'90d' or '36h'."""
    match = DURATION.match(text.strip())
    if not match:
        raise ValueError("use a number of days or hours, like 90d or 36h")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


class Duration(click.ParamType):
    name = "duration"

    def convert(self, value, param, ctx) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _described(duration: timedelta) -> str:
    hours = int(duration.total_seconds() // 3600)
    return f"{hours // 24} day(s)" if hours % 24 == 0 else f"{hours} hour(s)"


@click.group(help="call-back requests")
def requests() -> None:
    pass


@requests.command(help="delete handled requests past the retention limit")
@click.option("--older-than", type=Duration(), metavar="90d", help="handled requests handled this long ago, e.g. 90d")
@click.option(
    "--open-older-than",
    type=Duration(),
    metavar="180d",
    help="also close and delete open requests received this long ago, never handled (needs --reason)",
)
@click.option("--reason", metavar="TEXT", help="why open requests are closed; kept in the audit log")
def purge(older_than: timedelta | None, open_older_than: timedelta | None, reason: str | None) -> None:
    if older_than is None and open_older_than is None:
        raise click.UsageError("give --older-than (handled requests), --open-older-than with --reason, or both")
    if open_older_than is not None and not (reason or "").strip():
        raise click.UsageError("--open-older-than needs --reason: why open requests are closed unhandled")
    if open_older_than is not None and open_older_than < OPEN_BOUND_MIN:
        # A typo such as 18h for 180d would delete requests people are still waiting on.
        raise click.UsageError(f"--open-older-than must be at least {_described(OPEN_BOUND_MIN)}")
    store = open_storage()["callbacks"]
    if older_than is not None:
        removed = store.purge(older_than)
        print(f"Deleted {removed} request(s) handled more than {_described(older_than)} ago.")
    if open_older_than is not None:
        try:
            closed = store.purge_open(open_older_than, reason=reason)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        print(
            f"Closed and deleted {len(closed)} open request(s) received more than "
            f"{_described(open_older_than)} ago, never handled."
        )
        for reference in closed:
            print(f"  {reference}")


@requests.command(name="check-keys", help="exit 1 if the configured DATA_KEYS cannot open some open request")
def check_keys() -> None:
    """Exit 1 if some open request cannot be opened with the configured DATA_KEYS."""
    problems = open_storage()["callbacks"].unreadable("open")
    if problems:
        print(f"{len(problems)} open request(s) cannot be opened with the configured keys:", file=sys.stderr)
        for reference, reason in problems:
            print(f"  - {reference}: {reason}", file=sys.stderr)
        print(
            "'cannot be opened with the configured keys': put back the data key they were sealed with "
            "(in DATA_KEYS, after the newest). 'belongs to another record' or 'another field': the "
            "database was changed; restore those rows from a backup.",
            file=sys.stderr,
        )
        sys.exit(1)
    print("Keys OK: every open request can be opened.")
