"""`python -m wizard staff create|list|unlock|reset-totp|disable`.

Accounts are only ever made here, by someone with access to the server: the
web console has no default account and no way to create one.
"""

from __future__ import annotations

import getpass
import sys


def _accounts():
    from ..cli import _storage

    return _storage()["staff_accounts"]


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        # The first line, for scripts that pipe the password in.
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    second = getpass.getpass("The same password again: ")
    if first != second:
        print("The two passwords are not the same. No account was created.", file=sys.stderr)
        return None
    return first


def cmd_create(args) -> int:
    from .accounts import AccountError

    password = _read_password(args.password_stdin)
    if password is None:
        return 1
    try:
        created = _accounts().create(args.name, password)
    except AccountError as exc:
        print(f"No account was created: {exc}.", file=sys.stderr)
        return 1
    print(f"Created the account {created.username}. At their first sign-in at /staff they set up an authenticator app.")
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
        elif a.locked_until:
            state = f"locked until {a.locked_until:%Y-%m-%d %H:%M} UTC"
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
    create = staff.add_parser("create", help="create an account (asks for the password twice)")
    create.add_argument("name", help="the username: lower-case letters, digits, dots, dashes, underscores")
    create.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    create.set_defaults(func=cmd_create)
    staff.add_parser("list", help="list the accounts and their state").set_defaults(func=cmd_list)
    commands = (
        ("unlock", "unlock an account locked after failed sign-ins", "unlock", "Unlocked {name}."),
        (
            "reset-totp",
            "forget an account's authenticator (a lost phone); they set up a new one at next sign-in",
            "reset_totp",
            "{name} will set up a new authenticator app at their next sign-in. Their sessions have ended.",
        ),
        ("disable", "stop an account from signing in, and end its sessions", "disable", "Disabled {name}."),
    )
    for name, help_text, method, done in commands:
        parser = staff.add_parser(name, help=help_text)
        parser.add_argument("name", help="the username")
        parser.set_defaults(func=_change(method, done))
