"""delivery leases: the outbox row's lease owner and in-doubt flag, job claim heartbeats and attempts,
and an index for the retention job's sweep of processed events

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("in_doubt", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("job_claims") as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", bot.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="1", nullable=False))
    op.execute("UPDATE job_claims SET heartbeat_at = claimed_at")
    with op.batch_alter_table("processed_events") as batch_op:
        batch_op.create_index("ix_processed_events_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch_op:
        batch_op.drop_index("ix_processed_events_received_at")
    with op.batch_alter_table("job_claims") as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("heartbeat_at")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("in_doubt")
        batch_op.drop_column("lease_owner")
