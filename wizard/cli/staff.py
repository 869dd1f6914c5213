"""`python -m wizard staff create|list|unlock|reset-totp|disable`.

Accounts are only ever made here, by someone with access to the server: the
web console has no default account and no way to create one. Nobody here types
or sees a staff password: `create` and `reset-totp` print a single-use set-up
link, given to the person out of band, where they choose their own password and
set up their authenticator app.
"""

from __future__ import annotations

import sys

import click

from wizard.cli.common import open_storage


def _accounts():
    return open_storage()["staff_accounts"]


def _print_link(invitation, base_url: str, what: str) -> None:
    path = f"/staff/enrol/{invitation.token}"
    print(what)
    print()
    print(f"  {base_url.rstrip('/')}{path}" if base_url else f"  {path}   (after your console's address)")
    print()
    print(
        f"Give it to {invitation.username} yourself (in person or by phone, not in the same message as the "
        f"username). It works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC. There they choose their "
        "own password and set up their authenticator app."
    )


@click.group(help="staff console accounts")
def staff() -> None:
    pass


base_url_option = click.option(
    "--base-url",
    default="",
    help="the console's address (e.g. https://help.example.org), to print the whole link",
)


@staff.command(
    help="create an account and print its single-use set-up link "
    "(NAME: lower-case letters, digits, dots, dashes, underscores)"
)
@click.argument("name")
@base_url_option
def create(name: str, base_url: str) -> None:
    # Imported here: the database layer is heavy, and `rules` commands never need it.
    from wizard.storage.staff_accounts import AccountError

    try:
        invitation = _accounts().create(name)
    except AccountError as exc:
        print(f"No account was created: {exc}.", file=sys.stderr)
        sys.exit(1)
    _print_link(invitation, base_url, f"Created the account {invitation.username}. Its set-up link:")


@staff.command(name="list", help="list the accounts and their state")
def list_accounts() -> None:
    accounts = _accounts().list()
    if not accounts:
        print("There are no staff accounts. Make one with: python -m wizard staff create NAME")
        return
    width = max(len("username"), *(len(a.username) for a in accounts))
    print(f"{'username':<{width}}  created           authenticator  state")
    for a in accounts:
        state = "active"
        if a.disabled:
            state = "disabled"
        elif a.needs_unlock:
            state = "locked until unlocked (python -m wizard staff unlock)"
        elif a.locked_until:
            state = f"locked until {a.locked_until:%Y-%m-%d %H:%M} UTC"
        elif not a.enrolled:
            state = "waiting for set-up (a new link: python -m wizard staff reset-totp)"
        enrolled = "set up" if a.enrolled else "not set up"
        print(f"{a.username:<{width}}  {a.created_at:%Y-%m-%d %H:%M}  {enrolled:<13}  {state}")


@staff.command(
    name="reset-totp",
    help="a lost phone, a forgotten password or an expired link: end the account's sessions and "
    "print a new set-up link (the old password stops working)",
)
@click.argument("name")
@base_url_option
def reset_totp(name: str, base_url: str) -> None:
    invitation = _accounts().reset_totp(name)
    if invitation is None:
        print(f"There is no account called {name}.", file=sys.stderr)
        sys.exit(1)
    _print_link(
        invitation,
        base_url,
        f"{invitation.username}'s password and authenticator no longer work, and their sessions have ended. "
        "Their new set-up link:",
    )


def _account_change(command: str, help_text: str, method: str, done: str) -> None:
    """A command that changes one account's state and says so, or exits 1 if there is no such account."""

    @staff.command(name=command, help=help_text)
    @click.argument("name")
    def change(name: str) -> None:
        if not getattr(_accounts(), method)(name):
            print(f"There is no account called {name}.", file=sys.stderr)
            sys.exit(1)
        print(done.format(name=name.strip().lower()))


_account_change("unlock", "unlock an account locked after wrong security codes", "unlock", "Unlocked {name}.")
_account_change("disable", "stop an account from signing in, and end its sessions", "disable", "Disabled {name}.")
