"""runs: one primary metric per watch, per-watch directions and minimum effect, the champion seen last
(issue 20)

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run_watches") as batch:
        batch.add_column(sa.Column("since_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("directions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("min_effect", sa.Float(), nullable=True))
        batch.add_column(sa.Column("champion_version", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_watches") as batch:
        batch.drop_column("champion_version")
        batch.drop_column("min_effect")
        batch.drop_column("directions")
        batch.drop_column("since_ms")
