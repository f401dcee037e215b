"""runs: stalled runs, cost per run, sweeps (issue 20): each announced run's estimated cost

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run_announcements") as batch:
        batch.add_column(sa.Column("cost", sa.Numeric(18, 6), nullable=True))
        batch.add_column(sa.Column("cost_currency", sa.String(8), server_default="", nullable=False))
        batch.add_column(sa.Column("cost_note", sa.String(200), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("run_announcements") as batch:
        batch.drop_column("cost_note")
        batch.drop_column("cost_currency")
        batch.drop_column("cost")
