"""spend tables

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(18, 6)


def upgrade() -> None:
    op.create_table(
        "spend_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("service", sa.String(128), nullable=False),
        sa.Column("gpu", sa.Boolean(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("fetched_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_days")),
        sa.UniqueConstraint(
            "source", "day", "team", "service", "gpu", name=op.f("uq_spend_days_source_day_team_service_gpu")
        ),
    )
    op.create_index(op.f("ix_spend_days_day"), "spend_days", ["day"], unique=False)
    op.create_table(
        "spend_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("set_by", sa.String(32), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_budgets")),
        sa.UniqueConstraint("team_id", "team", "month", name=op.f("uq_spend_budgets_team_id_team_month")),
    )
    op.create_table(
        "spend_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("threshold", sa.String(16), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_alerts")),
        sa.UniqueConstraint(
            "team_id",
            "channel_id",
            "team",
            "month",
            "threshold",
            name=op.f("uq_spend_alerts_team_id_channel_id_team_month_threshold"),
        ),
    )
    op.create_table(
        "spend_source_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("synced_on", sa.Date(), nullable=True),
        sa.Column("last_success_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_source_state")),
        sa.UniqueConstraint("source", name=op.f("uq_spend_source_state_source")),
    )


def downgrade() -> None:
    op.drop_table("spend_source_state")
    op.drop_table("spend_alerts")
    op.drop_table("spend_budgets")
    op.drop_index(op.f("ix_spend_days_day"), table_name="spend_days")
    op.drop_table("spend_days")
