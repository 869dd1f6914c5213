"""Command line: `python -m wizard rules check|safety|explain|coverage`, `requests purge|check-keys`,
`db upgrade` and `run`.

The rules commands need no web server and import nothing from Flask.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from pathlib import Path

from wizard.cli.staff import add_staff_commands
from wizard.domain.coverage import coverage
from wizard.domain.matching import Matcher
from wizard.domain.rulebook.loader import PREFER_NOT_TO_SAY, RulebookError, load_rulebook
from wizard.platform.settings import PROJECT_ROOT


def _load(folder: str):
    try:
        return load_rulebook(folder)
    except RulebookError as exc:
        print(f"The rules in {folder} have {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.exit(1)


def cmd_check(args) -> int:
    book = _load(args.rules)
    print(
        f"Rules OK: {len(book.questions)} questions, {len(book.approaches)} approaches, "
        f"{len(book.organisations)} organisations, {len(book.rules)} rules, "
        f"{len(book.countries)} countries, {len(book.contacts)} with emergency contacts."
    )
    return 0


def cmd_safety(args) -> int:
    """Prove the safety invariants over the whole answer space; list every broken promise."""
    from wizard.domain.safety import INVARIANTS, violations

    book = _load(args.rules)
    problems = list(violations(book))
    if problems:
        print(f"{len(problems)} safety problem(s) in {args.rules}:", file=sys.stderr)
        for invariant, answers, problem in problems:
            shown = ", ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in answers.items())
            print(f"  - [{invariant.number}. {invariant.name}] {problem}\n      answers: {shown}", file=sys.stderr)
        return 1
    print(f"Safety OK: {len(INVARIANTS)} invariants hold for every answer combination.")
    return 0


def _parse_answers(book, pairs: list[str]) -> dict:
    """QUESTION=CODE pairs, refusing unknown questions, option codes and country codes with the valid ones."""
    questions = {q.id: q for q in book.questions}
    answers: dict = {}
    for pair in pairs:
        if "=" not in pair:
            raise SystemExit(f"--answer takes QUESTION=CODE, got {pair!r}")
        qid, code = pair.split("=", 1)
        question = questions.get(qid)
        if question is None:
            raise SystemExit(f"unknown question {qid!r}; questions are: {', '.join(questions)}")
        valid = (
            [c.code for c in book.countries] + [PREFER_NOT_TO_SAY]
            if question.kind == "country"
            else [o.code for o in question.options]
        )
        codes = [c for c in code.split(",") if c] if question.kind == "multiple" else [code]
        for one in codes:
            if one not in valid:
                what = "country code" if question.kind == "country" else "option"
                raise SystemExit(f"unknown {what} {one!r} for {qid!r}; valid: {', '.join(valid)}")
        if question.kind == "multiple":
            answers.setdefault(qid, []).extend(codes)
        else:
            answers[qid] = code
    return answers


def cmd_explain(args) -> int:
    book = _load(args.rules)
    matcher = Matcher(book)
    answers = _parse_answers(book, args.answer)
    result = matcher.match(answers)
    out = []
    if result.crisis:
        out.append("CRISIS: the answers say there is danger now; crisis contacts come first.")
    where = result.country.name if result.country else "country not given"
    out.append(f"For: {result.audience} ({where})")
    for title, matches in (("Approaches", result.approaches), ("For information", result.information)):
        out.append(f"\n{title}:")
        for n, match in enumerate(matches, 1):
            out.append(f"  {n}. {match.approach.name} [{match.approach.id}] score {match.score}")
            for reason in match.reasons:
                held = matcher.conditions_held(reason.rule, answers) if reason.rule else []
                tests = f" (because {'; '.join(held)})" if held else ""
                out.append(f"       - {reason.text}{tests}")
            for caution in match.approach.cautions:
                out.append(f"       ! {caution}")
    for title, orgs in (("Direct help", result.direct_help), ("Information bodies", result.information_bodies)):
        out.append(f"\n{title}:")
        out.extend(f"  - {m.organisation.name}: {m.reasons[0].english()}" for m in orgs)
    if result.contacts:
        out.append(f"\nEmergency number: {result.contacts.primary.number}")
        out.extend(f"  Helpline: {h.name} {h.phone or ''}".rstrip() for h in result.contacts.ordered_helplines)
    if result.not_effective:
        out.append("\nWorth knowing:")
        out.extend(f"  - {n.item.name}: {n.note}" for n in result.not_effective)
    if result.excluded:
        out.append("\nLeft out:")
        out.extend(f"  - {item}: {reasons[0]}" for item, reasons in sorted(result.excluded.items()))
    print("\n".join(out))
    return 0


def cmd_coverage(args) -> int:
    book = _load(args.rules)
    report = coverage(book)
    print(f"Walked {report.combinations} answer combinations.")
    width = max(len(i) for i in report.counts)
    for item, count in sorted(report.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        share = 100 * count / report.combinations
        flag = "  <- never shown" if count == 0 else ""
        print(f"  {item:<{width}} {count:>8} {share:6.1f}%{flag}")
    never = [i for i, c in report.counts.items() if c == 0]
    if never:
        print(f"{len(never)} item(s) are never shown: {', '.join(sorted(never))}")
    return 0


DURATION = re.compile(r"^(\d+)([dh])$")


def parse_duration(text: str) -> timedelta:
    """'90d' or '36h'."""
    match = DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError("use a number of days or hours, like 90d or 36h")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


def _storage():
    """The database and keys the app would use, without starting a web server."""
    from wizard import create_app

    return create_app().extensions["services"]


# Open requests are people waiting for a call: the upper bound is months, not hours.
OPEN_BOUND_MIN = timedelta(days=30)


def _described(duration: timedelta) -> str:
    hours = int(duration.total_seconds() // 3600)
    return f"{hours // 24} day(s)" if hours % 24 == 0 else f"{hours} hour(s)"


def cmd_purge(args) -> int:
    if args.older_than is None and args.open_older_than is None:
        args.parser.error("give --older-than (handled requests), --open-older-than with --reason, or both")
    if args.open_older_than is not None and not (args.reason or "").strip():
        args.parser.error("--open-older-than needs --reason: why open requests are closed unhandled")
    if args.open_older_than is not None and args.open_older_than < OPEN_BOUND_MIN:
        # A typo such as 18h for 180d would delete requests people are still waiting on.
        args.parser.error(f"--open-older-than must be at least {_described(OPEN_BOUND_MIN)}")
    store = _storage().callbacks
    if args.older_than is not None:
        removed = store.purge(args.older_than)
        print(f"Deleted {removed} request(s) handled more than {_described(args.older_than)} ago.")
    if args.open_older_than is not None:
        try:
            closed = store.purge_open(args.open_older_than, reason=args.reason)
        except ValueError as exc:
            args.parser.error(str(exc))
        print(
            f"Closed and deleted {len(closed)} open request(s) received more than "
            f"{_described(args.open_older_than)} ago, never handled."
        )
        for reference in closed:
            print(f"  {reference}")
    return 0


def cmd_check_keys(_args) -> int:
    """Exit 1 if some open request cannot be opened with the configured DATA_KEYS."""
    problems = _storage().callbacks.unreadable("open")
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
        return 1
    print("Keys OK: every open request can be opened.")
    return 0


def cmd_db_upgrade(_args) -> int:
    """Bring the database schema up to date: once per deployment, before the servers start.

    Only the configuration is read (no app, no data keys): the servers start without touching
    the schema, so a worker that starts during a database outage still serves the public pages."""
    import os

    from wizard.platform.settings import PROJECT_ROOT
    from wizard.storage import Database
    from wizard.storage.db import describe, head_revision
    from wizard.storage.failures import classify

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{PROJECT_ROOT / 'instance' / 'wizard.sqlite3'}"
    database = Database(url)
    try:
        database.migrate()
    except Exception as exc:
        # The URL without its password, and the error's kind and code, never its text.
        failure = classify(exc)
        print(
            f"Cannot upgrade the database at {describe(url)}: {failure.kind} ({failure.code}).",
            file=sys.stderr,
        )
        return 1
    finally:
        database.dispose()
    print(f"Database at {describe(url)} is at the newest schema ({head_revision()}).")
    return 0


def cmd_new_key(_args) -> int:
    from wizard.storage.crypto import new_key

    print(new_key())
    return 0


def cmd_run(args) -> int:
    from wizard import create_app

    app = create_app()
    app.run(host=args.host, port=args.port, debug=False)
    return 0


def cmd_serve_check(_args) -> int:
    from wizard.platform.preflight import preflight

    problems = preflight()
    if problems:
        print("Cannot start the wizard:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("Settings OK for serving.")
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m wizard")
    parser.add_argument("--rules", default=str(PROJECT_ROOT / "rules"), help="the rules folder")
    sub = parser.add_subparsers(dest="command", required=True)
    rules = sub.add_parser("rules", help="check, explain or measure the rules").add_subparsers(
        dest="action", required=True
    )
    rules.add_parser("check", help="validate the rules; exit 1 with every problem").set_defaults(func=cmd_check)
    rules.add_parser(
        "safety", help="prove the safety invariants over every answer combination; exit 1 with each problem"
    ).set_defaults(func=cmd_safety)
    explain = rules.add_parser("explain", help="show the result for some answers, with reasons")
    explain.add_argument("--answer", action="append", default=[], metavar="QUESTION=CODE")
    explain.set_defaults(func=cmd_explain)
    rules.add_parser("coverage", help="walk the answer space; count how often each item is shown").set_defaults(
        func=cmd_coverage
    )
    requests = sub.add_parser("requests", help="call-back requests").add_subparsers(dest="action", required=True)
    purge = requests.add_parser("purge", help="delete handled requests past the retention limit")
    purge.add_argument(
        "--older-than", type=parse_duration, metavar="90d", help="handled requests handled this long ago, e.g. 90d"
    )
    purge.add_argument(
        "--open-older-than",
        type=parse_duration,
        metavar="180d",
        help="also close and delete open requests received this long ago, never handled (needs --reason)",
    )
    purge.add_argument("--reason", metavar="TEXT", help="why open requests are closed; kept in the audit log")
    purge.set_defaults(func=cmd_purge, parser=purge)
    requests.add_parser(
        "check-keys", help="exit 1 if the configured DATA_KEYS cannot open some open request"
    ).set_defaults(func=cmd_check_keys)
    db = sub.add_parser("db", help="the database").add_subparsers(dest="action", required=True)
    db.add_parser(
        "upgrade", help="bring the schema up to date; run once per deployment, before the servers start"
    ).set_defaults(func=cmd_db_upgrade)
    keys = sub.add_parser("keys", help="data keys").add_subparsers(dest="action", required=True)
    keys.add_parser("new", help="print a new key for DATA_KEYS").set_defaults(func=cmd_new_key)
    add_staff_commands(sub)
    run = sub.add_parser("run", help="serve the app for local use")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=5000)
    run.set_defaults(func=cmd_run)
    sub.add_parser(
        "serve-check", help="check the settings a production server needs (SECRET_KEY, DATA_KEYS); exit 1 if missing"
    ).set_defaults(func=cmd_serve_check)
    args = parser.parse_args(argv)
    if not Path(args.rules).is_dir():
        parser.error(f"no rules folder at {args.rules}")
    sys.exit(args.func(args))
