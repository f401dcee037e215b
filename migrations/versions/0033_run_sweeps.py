"""runs: a sweep's state (its baseline, whether its final summary went out) and stalled runs (issue 20)

Revision ID: 0033
Revises: 0032
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_sweeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("parent_run_id", sa.String(64), nullable=False),
        sa.Column("baseline_kind", sa.String(16), server_default="", nullable=False),
        sa.Column("baseline_run_id", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_sweeps")),
        sa.ForeignKeyConstraint(
            ["watch_id"], ["run_watches.id"], name=op.f("fk_run_sweeps_watch_id_run_watches"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("watch_id", "parent_run_id", name=op.f("uq_run_sweeps_watch_id_parent_run_id")),
    )
    op.create_index(op.f("ix_run_sweeps_watch_id"), "run_sweeps", ["watch_id"])
    op.create_table(
        "run_stalls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(250), server_default="", nullable=False),
        sa.Column("owner", sa.String(64), server_default="", nullable=False),
        sa.Column("last_activity_ms", sa.BigInteger(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_stalls")),
        sa.ForeignKeyConstraint(
            ["watch_id"], ["run_watches.id"], name=op.f("fk_run_stalls_watch_id_run_watches"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("watch_id", "run_id", name=op.f("uq_run_stalls_watch_id_run_id")),
    )
    op.create_index(op.f("ix_run_stalls_watch_id"), "run_stalls", ["watch_id"])


def downgrade() -> None:
    op.drop_index("ix_run_stalls_watch_id", table_name="run_stalls")
    op.drop_table("run_stalls")
    op.drop_index("ix_run_sweeps_watch_id", table_name="run_sweeps")
    op.drop_table("run_sweeps")
