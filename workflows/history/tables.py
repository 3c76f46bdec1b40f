"""The history's tables (SQLAlchemy Core): runs, their customers, their hosts and the hosts' findings.

The schema itself is made and changed by the Alembic migrations in `migrations/versions/`; a unit test checks
that the migrated database matches these tables.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(255), nullable=False, unique=True),  # the run folder's name
    Column("command", String(64), nullable=False, index=True),
    Column("target", Text),
    Column("started", DateTime(timezone=True), nullable=False, index=True),  # UTC
    Column("finished", DateTime(timezone=True)),
    Column("shard", String(32)),
    Column("estate_version", String(64), nullable=False),
    Column("run_dir", Text, nullable=False),
    Column("devices", Integer, nullable=False),
    Column("pass_count", Integer, nullable=False),
    Column("skipped_count", Integer, nullable=False),
    Column("warn_count", Integer, nullable=False),
    Column("fail_count", Integer, nullable=False),
    Column("error_count", Integer, nullable=False),
)

run_customers = Table(
    "run_customers",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("customer", String(255), primary_key=True, index=True),
)

hosts = Table(
    "hosts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("customer", String(255), nullable=False, index=True),
    Column("site", String(255), nullable=False),
    Column("platform", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # ok | error
    Column("verdict", String(16), nullable=False),
    Column("error", Text),  # `stage: reason` when status is error
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("host_pk", Integer, ForeignKey("hosts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("check_name", String(255), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("message", Text, nullable=False),
)
