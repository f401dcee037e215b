"""standups: answer shapes, question sets per ask, several standups (issue 21)

Entries keep the blocker question of the set they were asked with and the shape of the blocker
answer (no / yes); a deleted standup is archived; a blocker remembers the stage ticket filed for it;
members keep their Slack display name (digests list names without pinging).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("standups") as batch:
        batch.add_column(sa.Column("archived_at", bot.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table("standup_members") as batch:
        batch.add_column(sa.Column("name", sa.String(120), nullable=True))
    with op.batch_alter_table("standup_entries") as batch:
        batch.add_column(sa.Column("blocker_index", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("blocked", sa.Boolean(), nullable=True))
    with op.batch_alter_table("standup_blockers") as batch:
        batch.add_column(sa.Column("ticket_origin_ts", sa.String(32), nullable=True))
        batch.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
    # Entries asked before this revision were asked with their standup's blocker question.
    op.execute(
        "UPDATE standup_entries SET blocker_index = "
        "(SELECT standups.blocker_index FROM standups WHERE standups.id = standup_entries.standup_id)"
    )
    op.execute(
        "UPDATE standup_entries SET blocked = true WHERE id IN "
        "(SELECT entry_id FROM standup_blockers WHERE entry_id IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("standup_blockers") as batch:
        batch.drop_column("ticket_id")
        batch.drop_column("ticket_origin_ts")
    with op.batch_alter_table("standup_entries") as batch:
        batch.drop_column("blocked")
        batch.drop_column("blocker_index")
    with op.batch_alter_table("standup_members") as batch:
        batch.drop_column("name")
    with op.batch_alter_table("standups") as batch:
        batch.drop_column("archived_at")
