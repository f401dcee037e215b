"""gpu tables

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = bot.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gpu_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("gpu_key", sa.String(200), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("gpu", sa.String(16), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("instance_id", sa.String(64), nullable=False),
        sa.Column("instance_type", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("allocated_h", sa.Double(), nullable=False),
        sa.Column("idle_h", sa.Double(), nullable=False),
        sa.Column("held_h", sa.Double(), nullable=False),
        sa.Column("nodata_h", sa.Double(), nullable=False),
        sa.Column("streak_h", sa.Double(), nullable=False),
        sa.Column("price", sa.Numeric(18, 6), nullable=True),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("fetched_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpu_days")),
        sa.UniqueConstraint("day", "gpu_key", name=op.f("uq_gpu_days_day_gpu_key")),
    )
    op.create_index(op.f("ix_gpu_days_day"), "gpu_days", ["day"], unique=False)
    op.create_table(
        "gpu_refreshes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpu_refreshes")),
        sa.UniqueConstraint("day", "source", name=op.f("uq_gpu_refreshes_day_source")),
    )
    op.create_table(
        "gpu_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("gpu_index", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("util", sa.Double(), nullable=False),
        sa.Column("mem_used_mib", sa.Double(), nullable=False),
        sa.Column("processes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpu_samples")),
    )
    op.create_index(op.f("ix_gpu_samples_at"), "gpu_samples", ["at"], unique=False)
    op.create_table(
        "gpu_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gpu_key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("response", sa.String(16), nullable=False),
        sa.Column("until", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpu_responses")),
    )
    op.create_index(op.f("ix_gpu_responses_gpu_key"), "gpu_responses", ["gpu_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_gpu_responses_gpu_key"), table_name="gpu_responses")
    op.drop_table("gpu_responses")
    op.drop_index(op.f("ix_gpu_samples_at"), table_name="gpu_samples")
    op.drop_table("gpu_samples")
    op.drop_table("gpu_refreshes")
    op.drop_index(op.f("ix_gpu_days_day"), table_name="gpu_days")
    op.drop_table("gpu_days")
