"""standup tables

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = bot.db.UTCDateTime()


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "standups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("blocker_index", sa.Integer(), nullable=True),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("ask_time", sa.String(5), nullable=False),
        sa.Column("digest_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("reminder_minutes", sa.Integer(), nullable=True),
        sa.Column("post_mode", sa.String(16), nullable=False),
        sa.Column("everyone", sa.Boolean(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standups")),
    )
    op.create_index("ix_standups_team_id_channel_id", "standups", ["team_id", "channel_id"], unique=False)
    op.create_table(
        "standup_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("inactive_reason", sa.String(64), nullable=True),
        _fk("standup_members", "standup_id", "standups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_members")),
        sa.UniqueConstraint("standup_id", "user_id", name=op.f("uq_standup_members_standup_id_user_id")),
    )
    op.create_index(op.f("ix_standup_members_standup_id"), "standup_members", ["standup_id"], unique=False)
    op.create_table(
        "standup_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("asked_at", UTC, nullable=True),
        sa.Column("reminded_at", UTC, nullable=True),
        sa.Column("completed_at", UTC, nullable=True),
        sa.Column("ask_message_id", sa.Integer(), nullable=True),
        sa.Column("posted_message_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        _fk("standup_entries", "standup_id", "standups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_entries")),
        sa.UniqueConstraint("standup_id", "user_id", "day", name=op.f("uq_standup_entries_standup_id_user_id_day")),
    )
    op.create_index(op.f("ix_standup_entries_standup_id"), "standup_entries", ["standup_id"], unique=False)
    op.create_table(
        "standup_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("thread_message_id", sa.Integer(), nullable=True),
        sa.Column("digest_message_id", sa.Integer(), nullable=True),
        sa.Column("digest_posted_at", UTC, nullable=True),
        _fk("standup_days", "standup_id", "standups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_days")),
        sa.UniqueConstraint("standup_id", "day", name=op.f("uq_standup_days_standup_id_day")),
    )
    op.create_index(op.f("ix_standup_days_standup_id"), "standup_days", ["standup_id"], unique=False)
    op.create_table(
        "standup_blockers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_at", UTC, nullable=False),
        sa.Column("cleared_at", UTC, nullable=True),
        sa.Column("cleared_by", sa.String(32), nullable=True),
        _fk("standup_blockers", "standup_id", "standups"),
        _fk("standup_blockers", "entry_id", "standup_entries", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_blockers")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_standup_blockers_entry_id")),
    )
    op.create_index(op.f("ix_standup_blockers_standup_id"), "standup_blockers", ["standup_id"], unique=False)
    op.create_table(
        "standup_away",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_away")),
    )
    op.create_index("ix_standup_away_team_id_user_id", "standup_away", ["team_id", "user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_standup_away_team_id_user_id", table_name="standup_away")
    op.drop_table("standup_away")
    op.drop_index(op.f("ix_standup_blockers_standup_id"), table_name="standup_blockers")
    op.drop_table("standup_blockers")
    op.drop_index(op.f("ix_standup_days_standup_id"), table_name="standup_days")
    op.drop_table("standup_days")
    op.drop_index(op.f("ix_standup_entries_standup_id"), table_name="standup_entries")
    op.drop_table("standup_entries")
    op.drop_index(op.f("ix_standup_members_standup_id"), table_name="standup_members")
    op.drop_table("standup_members")
    op.drop_index("ix_standups_team_id_channel_id", table_name="standups")
    op.drop_table("standups")
