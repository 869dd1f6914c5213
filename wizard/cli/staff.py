"""`python -m wizard staff create|list|unlock|reset-totp|disable`.

Accounts are only ever made here, by someone with access to the server: the
web console has no default account and no way to create one. Nobody here types
or sees a staff password: `create` and `reset-totp` print a single-use set-up
link, given to the person out of band, where they choose their own password and
set up their authenticator app.
"""

from __future__ import annotations

import sys


def _accounts():
    from wizard.cli import _storage

    return _storage().staff_accounts


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


def cmd_create(args) -> int:
    from wizard.storage.staff_accounts import AccountError

    try:
        invitation = _accounts().create(args.name)
    except AccountError as exc:
        print(f"No account was created: {exc}.", file=sys.stderr)
        return 1
    _print_link(invitation, args.base_url, f"Created the account {invitation.username}. Its set-up link:")
    return 0


def cmd_reset_totp(args) -> int:
    invitation = _accounts().reset_totp(args.name)
    if invitation is None:
        print(f"There is no account called {args.name}.", file=sys.stderr)
        return 1
    _print_link(
        invitation,
        args.base_url,
        f"{invitation.username}'s password and authenticator no longer work, and their sessions have ended. "
        "Their new set-up link:",
    )
    return 0


def cmd_list(_args) -> int:
    accounts = _accounts().list()
    if not accounts:
        print("There are no staff accounts. Make one with: python -m wizard staff create NAME")
        return 0
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
    return 0


def _change(method: str, done: str):
    def command(args) -> int:
        if not getattr(_accounts(), method)(args.name):
            print(f"There is no account called {args.name}.", file=sys.stderr)
            return 1
        print(done.format(name=args.name.strip().lower()))
        return 0

    return command


def add_staff_commands(subparsers) -> None:
    staff = subparsers.add_parser("staff", help="staff console accounts").add_subparsers(dest="action", required=True)
    base_url = {
        "default": "",
        "help": "the console's address (e.g. https://help.example.org), to print the whole link",
    }
    create = staff.add_parser("create", help="create an account and print its single-use set-up link")
    create.add_argument("name", help="the username: lower-case letters, digits, dots, dashes, underscores")
    create.add_argument("--base-url", **base_url)
    create.set_defaults(func=cmd_create)
    staff.add_parser("list", help="list the accounts and their state").set_defaults(func=cmd_list)
    reset = staff.add_parser(
        "reset-totp",
        help="a lost phone, a forgotten password or an expired link: end the account's sessions and "
        "print a new set-up link (the old password stops working)",
    )
    reset.add_argument("name", help="the username")
    reset.add_argument("--base-url", **base_url)
    reset.set_defaults(func=cmd_reset_totp)
    commands = (
        ("unlock", "unlock an account locked after wrong security codes", "unlock", "Unlocked {name}."),
        ("disable", "stop an account from signing in, and end its sessions", "disable", "Disabled {name}."),
    )
    for name, help_text, method, done in commands:
        parser = staff.add_parser(name, help=help_text)
        parser.add_argument("name", help="the username")
        parser.set_defaults(func=_change(method, done))
