"""digest: when each channel's digest was last sent, so the next one covers "since the last digest"

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digest_channels") as batch:
        batch.add_column(sa.Column("last_sent_at", bot.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_channels") as batch:
        batch.drop_column("last_sent_at")
