"""The first history schema: runs, run_customers, hosts, findings.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("target", sa.Text()),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True)),
        sa.Column("shard", sa.String(32)),
        sa.Column("estate_version", sa.String(64), nullable=False),
        sa.Column("run_dir", sa.Text(), nullable=False),
        sa.Column("devices", sa.Integer(), nullable=False),
        sa.Column("pass_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("warn_count", sa.Integer(), nullable=False),
        sa.Column("fail_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.UniqueConstraint("run_id", name="uq_runs_run_id"),
    )
    op.create_index("ix_runs_command", "runs", ["command"])
    op.create_index("ix_runs_started", "runs", ["started"])
    op.create_table(
        "run_customers",
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("customer", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.id"], name="fk_run_customers_run_pk_runs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_pk", "customer", name="pk_run_customers"),
    )
    op.create_index("ix_run_customers_customer", "run_customers", ["customer"])
    op.create_table(
        "hosts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("customer", sa.String(255), nullable=False),
        sa.Column("site", sa.String(255), nullable=False),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("error", sa.Text()),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.id"], name="fk_hosts_run_pk_runs", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_hosts"),
    )
    op.create_index("ix_hosts_run_pk", "hosts", ["run_pk"])
    op.create_index("ix_hosts_customer", "hosts", ["customer"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("host_pk", sa.Integer(), nullable=False),
        sa.Column("check_name", sa.String(255), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["host_pk"], ["hosts.id"], name="fk_findings_host_pk_hosts", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
    )
    op.create_index("ix_findings_host_pk", "findings", ["host_pk"])


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("hosts")
    op.drop_table("run_customers")
    op.drop_table("runs")
