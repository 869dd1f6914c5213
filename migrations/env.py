"""Alembic environment. The app passes its own connection (see Database.migrate);
`alembic` on the command line uses DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from wizard.storage.db import normalise_url
from wizard.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
elif context.is_offline_mode():
    context.configure(url=normalise_url(os.environ["DATABASE_URL"]), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(normalise_url(os.environ["DATABASE_URL"]))
    with engine.begin() as conn:
        run(conn)
