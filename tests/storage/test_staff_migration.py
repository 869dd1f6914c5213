"""Migration 0002 keeps existing staff data working, on SQLite and on PostgreSQL: an
account set up before it signs in as before, and its session stays valid."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from wizard.storage import Database, Sealer
from wizard.storage.crypto import new_key
from wizard.storage.db import MIGRATIONS
from wizard.storage.models import utcnow
from wizard.storage.staff_accounts import Accounts, Policy, token_id
from wizard.storage.staff_accounts.passwords import hash_password

KEY = new_key()
PASSWORD = "a long enough passphrase"
SESSION_TOKEN = "an-old-session-token-from-before-0002"


def migrate_to(database: Database, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_accounts_from_before_0002_keep_working(database_url):
    database = Database(database_url)
    try:
        migrate_to(database, "0001")
        sealer = Sealer([KEY])
        secret = pyotp.random_base32()
        now = utcnow()
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff_users (id, username, password_hash, totp_sealed, totp_confirmed, "
                    "last_totp_step, failed_attempts, locked_until, disabled, created_at) VALUES "
                    "(1, 'alice', :hash, :sealed, :yes, NULL, 3, NULL, :no, :now)"
                ),
                {
                    "hash": hash_password(PASSWORD, n=16),
                    "sealed": sealer.seal({"secret": secret}, bound_to="staff-totp:1"),
                    "yes": True,
                    "no": False,
                    "now": now,
                },
            )
            connection.execute(
                text("INSERT INTO staff_sessions (id, user_id, created_at, last_seen_at) VALUES (:id, 1, :now, :now)"),
                {"id": token_id(SESSION_TOKEN), "now": now},
            )
        database.migrate()
        accounts = Accounts(database, sealer, Policy(scrypt_n=16))
        # The session from before still works, and so does signing in with password and code.
        assert accounts.resume(SESSION_TOKEN).user.username == "alice"
        pending = accounts.check_password("alice", PASSWORD).pending
        code = pyotp.TOTP(secret).at(datetime.now() + timedelta(seconds=0))
        assert accounts.verify_code(pending, code).status == "ok"
        assert [a.needs_unlock for a in accounts.list()] == [False]
    finally:
        database.dispose()
