"""spend: per-object sync state (spend_source_objects), so a FOCUS sync reads only what changed

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spend_source_objects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("seen_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_source_objects")),
        sa.UniqueConstraint("source", "kind", "key", name=op.f("uq_spend_source_objects_source_kind_key")),
    )


def downgrade() -> None:
    op.drop_table("spend_source_objects")
