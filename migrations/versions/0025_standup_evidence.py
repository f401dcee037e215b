"""standup: asks prefilled with evidence (issue 24): the suggested first answer on each entry

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("standup_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggested", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standup_entries", schema=None) as batch_op:
        batch_op.drop_column("suggested")
