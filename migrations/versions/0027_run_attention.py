"""runs: the run's name and what it beat the champion by, for the digest's Needs attention (issues 20, 24)

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run_announcements") as batch:
        batch.add_column(sa.Column("name", sa.String(250), server_default="", nullable=False))
        batch.add_column(sa.Column("beats", sa.String(200), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("run_announcements") as batch:
        batch.drop_column("beats")
        batch.drop_column("name")
