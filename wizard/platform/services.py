"""The services the public, staff and API apps share, built once per site and reached by type.

``services()`` replaces string lookups such as ``current_app.extensions["matcher"]``: one
typed, frozen object holds the rules, the matcher and the journey, the partners, the
database and what is built on it. The three apps get the same object, so one process keeps
one rulebook, one connection pool and one call-back store, whichever app answers.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

from wizard.domain.journey import Journey
from wizard.domain.matching import Matcher
from wizard.domain.rulebook.loader import load_rulebook
from wizard.platform.folders import signature
from wizard.platform.partners import DEFAULT_FILE as DEFAULT_PARTNERS
from wizard.platform.partners import EXAMPLE_FILE as EXAMPLE_PARTNERS
from wizard.platform.partners import Partner, load_partners

if TYPE_CHECKING:
    from wizard.domain.rulebook.models import Rulebook
    from wizard.platform.directory import Directory
    from wizard.storage import Database, Sealer
    from wizard.storage.callbacks import CallbackStore
    from wizard.storage.staff_accounts import Accounts, Policy

KEY = "services"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    rulebook: Rulebook
    matcher: Matcher
    journey: Journey
    partners: dict[str, Partner]
    database: Database | None
    sealer: Sealer
    callbacks: CallbackStore
    staff_accounts: Accounts
    directory: Directory


def services() -> Services:
    """This site's services, from inside any of its apps' requests or app contexts."""
    return current_app.extensions[KEY]


def install(app: Flask, shared: Services) -> None:
    app.extensions[KEY] = shared


def build_services(config: dict, staff_policy: Policy) -> Services:
    """Everything the apps share, or a RuntimeError naming what is wrong in the settings.

    Refuses to start on invalid rules (RulebookError lists every problem), an invalid
    partners file or unusable DATA_KEYS (a message that names no key). A database that
    is down or not yet migrated never stops the start: the public pages need no database,
    the call-back form answers 503 until it is back, and /readyz says what is wrong.
    """
    from wizard.platform.directory import Directory
    from wizard.storage import Database, Sealer
    from wizard.storage.callbacks import CallbackStore
    from wizard.storage.crypto import parse_keys
    from wizard.storage.directory import DirectoryStore
    from wizard.storage.staff_accounts import Accounts

    rulebook, matcher, journey = rules_from(config["RULES_DIR"])
    development = bool(config["DEVELOPMENT"])
    try:
        sealer = Sealer(parse_keys(config["DATA_KEYS"]))
    except ValueError as exc:
        raise RuntimeError(f"DATA_KEYS: {exc}") from None
    database = Database(config["DATABASE_URL"])
    if development or config.get("TESTING"):
        migrate_for_development(database)
    default_partners = EXAMPLE_PARTNERS if development else DEFAULT_PARTNERS
    partners_file = config.get("PARTNERS_FILE") or os.environ.get("PARTNERS_FILE") or default_partners
    return Services(
        rulebook=rulebook,
        matcher=matcher,
        journey=journey,
        partners=load_partners(partners_file, frozenset(matcher.countries), local_http=development),
        database=database,
        sealer=sealer,
        callbacks=CallbackStore(database, sealer),
        staff_accounts=Accounts(database, sealer, staff_policy),
        directory=Directory(
            DirectoryStore(database),
            rulebook,
            max_age_months=int(config.get("DIRECTORY_MAX_AGE", 12)),
            show_fictional=bool(config.get("DIRECTORY_SHOW_EXAMPLES", development)),
        ),
    )


def rules_from(folder: str | Path) -> tuple[Rulebook, Matcher, Journey]:
    """The rules folder loaded and compiled, once per process while no file in it changes: they
    are immutable, and the command line and the tests build many sites from the same folder."""
    return _compiled_rules(str(folder), signature(folder))


@lru_cache(maxsize=8)
def _compiled_rules(folder: str, signature: tuple) -> tuple[Rulebook, Matcher, Journey]:
    rulebook = load_rulebook(folder)
    matcher = Matcher(rulebook)
    return rulebook, matcher, Journey(rulebook, matcher)


def migrate_for_development(database: Database) -> None:
    """Production never migrates here: `python -m wizard db upgrade` does, once per deployment
    (before gunicorn starts), not once per worker, so a worker started during an outage
    still serves the crisis line. Development (`make run`) and the tests migrate here, so a
    fresh clone and every throwaway test database need no extra step."""
    from wizard.storage.db import describe
    from wizard.storage.failures import classify

    try:
        database.migrate()
    except Exception as exc:
        # The kind and the URL without its password; the pages still start.
        log.warning(
            "Could not prepare the database at %s (%s); the call-back form is off until it is: %s",
            describe(database.url),
            type(exc).__name__,
            classify(exc).kind,
        )
