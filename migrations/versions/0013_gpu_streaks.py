"""gpu: MIG units, Slurm jobs, Kubernetes pods and the running idle streak

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gpu_days") as batch:
        batch.add_column(sa.Column("uuid", sa.String(64), server_default="", nullable=False))
        batch.add_column(sa.Column("unit", sa.String(32), server_default="", nullable=False))
        batch.add_column(sa.Column("profile", sa.String(32), server_default="", nullable=False))
        batch.add_column(sa.Column("share", sa.Double(), server_default=sa.text("1.0"), nullable=False))
        batch.add_column(sa.Column("job", sa.String(64), server_default="", nullable=False))
        batch.add_column(sa.Column("namespace", sa.String(128), server_default="", nullable=False))
        batch.add_column(sa.Column("pod", sa.String(253), server_default="", nullable=False))
    op.create_table(
        "gpu_streaks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gpu_key", sa.String(200), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(1), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("before", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gpu_streaks")),
        sa.UniqueConstraint("gpu_key", name=op.f("uq_gpu_streaks_gpu_key")),
    )
    op.create_index(op.f("ix_gpu_streaks_source"), "gpu_streaks", ["source"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_gpu_streaks_source"), table_name="gpu_streaks")
    op.drop_table("gpu_streaks")
    with op.batch_alter_table("gpu_days") as batch:
        for name in ("pod", "namespace", "job", "share", "profile", "unit", "uuid"):
            batch.drop_column(name)
