"""Retro phases (issue 21): voting and discussion deadlines, what a passed deadline does, a per-item
vote cap, and each participant's "I'm done" (the phase they said it in; no time kept)

Revision ID: 0034
Revises: 0033
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("retros") as batch:
        batch.add_column(sa.Column("vote_deadline_at", bot.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("discuss_deadline_at", bot.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("auto_advance", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column("max_votes_per_item", sa.Integer(), nullable=True))
    with op.batch_alter_table("retro_participants") as batch:
        batch.add_column(sa.Column("done_phase", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("retro_participants") as batch:
        batch.drop_column("done_phase")
    with op.batch_alter_table("retros") as batch:
        batch.drop_column("max_votes_per_item")
        batch.drop_column("auto_advance")
        batch.drop_column("discuss_deadline_at")
        batch.drop_column("vote_deadline_at")
