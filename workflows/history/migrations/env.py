"""Alembic's environment for the history: migrate the connection `workflows.history.store` hands over.

estate applies the migrations itself (`HistoryStore.migrate`) and passes its open connection in
`config.attributes["connection"]`. Imported outside Alembic (pytest's doctest collection) it does nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from workflows.history.tables import metadata


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations on `connection` in one transaction (batch mode: SQLite alters by copying)."""
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # set only while Alembic runs this file
    run_migrations(context.config.attributes["connection"])
