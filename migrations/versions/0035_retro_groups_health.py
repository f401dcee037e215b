"""Retro groups, health check and due reminders (issue 21): a group's title on its lead item, the health
check's answers as counts per (question, score) with who answered kept apart and undated, and the
timezone an action's due reminder fires in (looked up by the reminder job)

Revision ID: 0035
Revises: 0034
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("retro_items") as batch:
        batch.add_column(sa.Column("title", sa.String(200), nullable=True))
    with op.batch_alter_table("retro_actions") as batch:
        batch.add_column(sa.Column("owner_tz", sa.String(64), nullable=True))
    op.create_table(
        "retro_health_scores",
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["retro_id"], ["retros.id"], name=op.f("fk_retro_health_scores_retro_id_retros")),
        sa.PrimaryKeyConstraint("retro_id", "position", "score", name=op.f("pk_retro_health_scores")),
    )
    op.create_table(
        "retro_health_respondents",
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["retro_id"], ["retros.id"], name=op.f("fk_retro_health_respondents_retro_id_retros")),
        sa.PrimaryKeyConstraint("retro_id", "user_id", name=op.f("pk_retro_health_respondents")),
    )


def downgrade() -> None:
    op.drop_table("retro_health_respondents")
    op.drop_table("retro_health_scores")
    with op.batch_alter_table("retro_actions") as batch:
        batch.drop_column("owner_tz")
    with op.batch_alter_table("retro_items") as batch:
        batch.drop_column("title")
