"""`python -m wizard rules check|safety|explain|coverage`: check, explain or measure the rules.

These commands need no web app, no database and no keys: they import nothing from Flask.
"""

from __future__ import annotations

import sys

import click

from wizard.domain.coverage import coverage
from wizard.domain.matching import Matcher
from wizard.domain.rulebook.loader import RulebookError, load_rulebook
from wizard.domain.safety import INVARIANTS, violations
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY


@click.group(help="check, explain or measure the rules")
def rules() -> None:
    pass


def _load(folder: str):
    try:
        return load_rulebook(folder)
    except RulebookError as exc:
        print(f"The rules in {folder} have {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.exit(1)


@rules.command(help="validate the rules; exit 1 with every problem")
@click.pass_obj
def check(folder: str) -> None:
    book = _load(folder)
    print(
        f"Rules OK: {len(book.questions)} questions, {len(book.approaches)} approaches, "
        f"{len(book.organisations)} organisations, {len(book.rules)} rules, "
        f"{len(book.countries)} countries, {len(book.contacts)} with emergency contacts."
    )


@rules.command(help="prove the safety invariants over every answer combination; exit 1 with each problem")
@click.pass_obj
def safety(folder: str) -> None:
    """Prove the safety invariants over the whole answer space; list every broken promise."""
    book = _load(folder)
    problems = list(violations(book))
    if problems:
        print(f"{len(problems)} safety problem(s) in {folder}:", file=sys.stderr)
        for invariant, answers, problem in problems:
            shown = ", ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in answers.items())
            print(f"  - [{invariant.number}. {invariant.name}] {problem}\n      answers: {shown}", file=sys.stderr)
        sys.exit(1)
    print(f"Safety OK: {len(INVARIANTS)} invariants hold for every answer combination.")


def parse_answers(book, pairs: list[str]) -> dict:
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


@rules.command(help="show the result for some answers, with reasons")
@click.option("--answer", "pairs", multiple=True, metavar="QUESTION=CODE")
@click.pass_obj
def explain(folder: str, pairs: tuple[str, ...]) -> None:
    book = _load(folder)
    matcher = Matcher(book)
    answers = parse_answers(book, list(pairs))
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


@rules.command(name="coverage", help="walk the answer space; count how often each item is shown")
@click.pass_obj
def coverage_command(folder: str) -> None:
    report = coverage(_load(folder))
    print(f"Walked {report.combinations} answer combinations.")
    width = max(len(i) for i in report.counts)
    for item, count in sorted(report.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        share = 100 * count / report.combinations
        flag = "  <- never shown" if count == 0 else ""
        print(f"  {item:<{width}} {count:>8} {share:6.1f}%{flag}")
    never = [i for i, c in report.counts.items() if c == 0]
    if never:
        print(f"{len(never)} item(s) are never shown: {', '.join(sorted(never))}")
