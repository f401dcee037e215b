"""PI: business owner (issue 23) — pis.business_owners, the users who score planned and actual BV

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pis") as batch:
        batch.add_column(sa.Column("business_owners", sa.String(400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pis") as batch:
        batch.drop_column("business_owners")
