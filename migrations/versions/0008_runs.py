"""runs tables

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("experiment_id", sa.String(64), nullable=False),
        sa.Column("experiment_name", sa.String(256), nullable=False),
        sa.Column("primary_metric", sa.String(256), nullable=True),
        sa.Column("registered_model", sa.String(256), nullable=True),
        sa.Column("watermark_ms", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("best_metric", sa.String(256), nullable=True),
        sa.Column("best_run_id", sa.String(64), nullable=True),
        sa.Column("best_value", sa.Float(), nullable=True),
        sa.Column("noise_cache", sa.JSON(), nullable=False),
        sa.Column("last_polled_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_watches")),
        sa.UniqueConstraint(
            "team_id", "channel_id", "experiment_id", name=op.f("uq_run_watches_team_id_channel_id_experiment_id")
        ),
    )
    op.create_table(
        "run_announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("end_time_ms", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("announced_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["watch_id"], ["run_watches.id"], ondelete="CASCADE", name=op.f("fk_run_announcements_watch_id_run_watches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_announcements")),
        sa.UniqueConstraint("watch_id", "run_id", name=op.f("uq_run_announcements_watch_id_run_id")),
    )
    op.create_index(op.f("ix_run_announcements_watch_id"), "run_announcements", ["watch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_run_announcements_watch_id"), table_name="run_announcements")
    op.drop_table("run_announcements")
    op.drop_table("run_watches")
