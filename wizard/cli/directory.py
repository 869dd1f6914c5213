"""`python -m wizard directory check|import|export|demo`: the service directory, in Open Referral
HSDS 3.0 (a folder with datapackage.json and CSV files, or a .json file). See docs/directory.md.

`check` needs only the rules (for the taxonomy): no app, no database. `import` checks first and
publishes only a directory without a single problem, replacing the operator's (or one partner's)
whole directory at once; a refused file is recorded, and what was published stays as it was.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from wizard.domain.directory.hsds import (
    Reading,
    example_addresses,
    read_path,
    taxonomy_terms_csv,
    to_json,
    write_tabular,
)
from wizard.domain.directory.listing import aged_to
from wizard.domain.directory.taxonomy import build_taxonomy
from wizard.domain.rulebook.loader import RulebookError, load_rulebook
from wizard.platform.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "directory"
BY = "command line"


@click.group(help="the service directory (Open Referral HSDS 3.0): check, import, export")
def directory() -> None:
    pass


def _taxonomy(folder: str):
    try:
        return build_taxonomy(load_rulebook(folder).approaches)
    except RulebookError as exc:
        print(
            f"The rules in {folder} have {len(exc.problems)} problem(s); run: python -m wizard rules check",
            file=sys.stderr,
        )
        sys.exit(1)


def _read(path: str, taxonomy) -> Reading:
    reading = read_path(path, taxonomy)
    for note in reading.notes:
        print(f"Note: {note}")
    if reading.problems:
        count = len(reading.problems) + reading.more
        print(f"{Path(path).name}: {count} problem(s); nothing was published.", file=sys.stderr)
        for line in reading.report():
            print(f"  - {line}", file=sys.stderr)
    return reading


def _services():
    from wizard.cli.common import open_storage

    return open_storage()


def _check_partner(services, partner: str | None) -> None:
    if partner is not None and partner not in services.partners:
        known = ", ".join(sorted(services.partners)) or "none"
        print(f"Unknown partner {partner!r}; the configured partners are: {known}.", file=sys.stderr)
        sys.exit(2)


@directory.command(
    help="check a directory (a folder with datapackage.json, or a .json file); exit 1 with every problem"
)
@click.argument("path", type=click.Path(exists=True))
@click.pass_obj
def check(rules_folder: str, path: str) -> None:
    reading = _read(path, _taxonomy(rules_folder))
    if reading.problems:
        sys.exit(1)
    print(f"{len(reading.listings)} services valid.")


@directory.command(
    name="import",
    help="check, then publish a directory, replacing the operator's (or --partner's) whole directory",
)
@click.argument("path", type=click.Path(exists=True))
@click.option("--partner", default=None, help="publish as this configured partner (default: the operator)")
@click.option("--fictional", is_flag=True, help="the data is made up (example.org addresses are then allowed)")
def import_(path: str, partner: str | None, fictional: bool) -> None:
    # Checked against the app's own rules and taxonomy, which its pages match listings with.
    services = _services()
    _check_partner(services, partner)
    store = services.directory.store
    source = Path(path).name
    reading = _read(path, services.directory.taxonomy)
    problems = len(reading.problems) + reading.more
    if not problems and not fictional:
        examples = [(listing, example_addresses(listing)) for listing in reading.listings]
        examples = [(listing, found) for listing, found in examples if found]
        if examples:
            print(
                f"{source}: {len(examples)} service(s) use example.org, .com or .net addresses, kept for made-up "
                "data; nothing was published. Give real addresses, or import made-up data with --fictional.",
                file=sys.stderr,
            )
            for listing, found in examples[:20]:
                print(f"  - {listing.name}: {', '.join(found)}", file=sys.stderr)
            if len(examples) > 20:
                print(f"  and {len(examples) - 20} more", file=sys.stderr)
            problems = len(examples)
    if problems:
        store.record_failed_import(publisher=partner, source=source, by=BY, problems=problems)
        sys.exit(1)
    try:
        summary = store.publish(reading.listings, publisher=partner, source=source, by=BY, fictional=fictional)
    except ValueError as exc:
        store.record_failed_import(publisher=partner, source=source, by=BY, problems=1)
        print(f"{source}: {exc}; nothing was published.", file=sys.stderr)
        sys.exit(1)
    whose = f"partner {partner}" if partner else "the operator"
    print(
        f"Published {summary.services} services for {whose} ({summary.added} new, {summary.removed} removed)"
        + (", marked as fictional." if fictional else ".")
    )


@directory.command(help="write the published directory (the operator's, or --partner's) to OUT")
@click.argument("out", type=click.Path())
@click.option("--format", "form", type=click.Choice(["json", "tabular"]), default="json", show_default=True)
@click.option("--partner", default=None, help="this configured partner's directory (default: the operator's)")
def export(out: str, form: str, partner: str | None) -> None:
    services = _services()
    _check_partner(services, partner)
    listings = services.directory.store.export(partner)
    target = Path(out)
    if form == "json":
        if target.is_dir():
            print(f"{out} is a folder; give a file name for the JSON form.", file=sys.stderr)
            sys.exit(2)
        target.write_bytes(to_json(listings))
    else:
        if target.exists() and not target.is_dir():
            print(f"{out} is a file; give a folder for the tabular form.", file=sys.stderr)
            sys.exit(2)
        write_tabular(listings, target)
    print(f"Wrote {len(listings)} services to {out} ({form}).")


@directory.command(help="publish the fictional example directory as the operator's (for trying the wizard out)")
def demo() -> None:
    services = _services()
    store = services.directory.store
    real = sum(1 for stored in store.iterate(None) if not stored.fictional)
    if real:
        print(
            f"The operator's directory has {real} real services; the demo would replace them. Nothing was changed.",
            file=sys.stderr,
        )
        sys.exit(1)
    reading = _read(str(EXAMPLE), services.directory.taxonomy)
    if reading.problems:
        sys.exit(1)
    # The example's dates are ages: the newest listing is checked today, the stale one stays stale.
    listings = aged_to(list(reading.listings), datetime.now(UTC).date())
    summary = store.publish(listings, publisher=None, source="examples/directory", by=BY, fictional=True)
    print(f"Published the fictional example directory: {summary.services} services.")


@directory.command(help="print this wizard's taxonomy (approaches and attributes) as taxonomy_terms.csv")
@click.pass_obj
def taxonomy(rules_folder: str) -> None:
    sys.stdout.write(taxonomy_terms_csv(_taxonomy(rules_folder)).decode("utf-8"))
