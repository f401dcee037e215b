"""retro tables

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC = bot.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "retros",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("template_key", sa.String(64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("facilitator_id", sa.String(32), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("visible_while_collecting", sa.Boolean(), nullable=False),
        sa.Column("votes_per_person", sa.Integer(), nullable=False),
        sa.Column("deadline_at", UTC, nullable=True),
        sa.Column("discuss_order", sa.JSON(), nullable=False),
        sa.Column("discuss_pos", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["previous_id"], ["retros.id"], name=op.f("fk_retros_previous_id_retros")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retros")),
    )
    op.create_index("ix_retros_team_id_channel_id", "retros", ["team_id", "channel_id"], unique=False)
    op.create_table(
        "retro_participants",
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["retro_id"], ["retros.id"], name=op.f("fk_retro_participants_retro_id_retros")),
        sa.PrimaryKeyConstraint("retro_id", "user_id", name=op.f("pk_retro_participants")),
    )
    op.create_table(
        "retro_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("column_key", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=True),
        sa.Column("secret_hash", sa.String(64), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("discussed", sa.Boolean(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["retro_id"], ["retros.id"], name=op.f("fk_retro_items_retro_id_retros")),
        sa.ForeignKeyConstraint(["group_id"], ["retro_items.id"], name=op.f("fk_retro_items_group_id_retro_items")),
        sa.ForeignKeyConstraint(
            ["carried_from_id"], ["retro_items.id"], name=op.f("fk_retro_items_carried_from_id_retro_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_items")),
    )
    op.create_index(op.f("ix_retro_items_retro_id"), "retro_items", ["retro_id"], unique=False)
    op.create_table(
        "retro_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["retro_id"], ["retros.id"], name=op.f("fk_retro_votes_retro_id_retros")),
        sa.ForeignKeyConstraint(["item_id"], ["retro_items.id"], name=op.f("fk_retro_votes_item_id_retro_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_votes")),
        sa.UniqueConstraint("item_id", "voter_id", name=op.f("uq_retro_votes_item_id_voter_id")),
    )
    op.create_index(op.f("ix_retro_votes_retro_id"), "retro_votes", ["retro_id"], unique=False)
    op.create_table(
        "retro_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["retro_id"], ["retros.id"], name=op.f("fk_retro_actions_retro_id_retros")),
        sa.ForeignKeyConstraint(["item_id"], ["retro_items.id"], name=op.f("fk_retro_actions_item_id_retro_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_actions")),
    )
    op.create_index(op.f("ix_retro_actions_retro_id"), "retro_actions", ["retro_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_retro_actions_retro_id"), table_name="retro_actions")
    op.drop_table("retro_actions")
    op.drop_index(op.f("ix_retro_votes_retro_id"), table_name="retro_votes")
    op.drop_table("retro_votes")
    op.drop_index(op.f("ix_retro_items_retro_id"), table_name="retro_items")
    op.drop_table("retro_items")
    op.drop_table("retro_participants")
    op.drop_index("ix_retros_team_id_channel_id", table_name="retros")
    op.drop_table("retros")
