"""tickets: safe keys, tracker-qualified keys, stable epic ids (issue 22)

A per-team key sequence row (taken with one atomic UPDATE), keys unique per tracker, a stable marker,
stage template and profile per project, the checklist slot and stage history of a ticket, and links
from Slack users to tracker accounts.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_projects") as batch:
        batch.add_column(sa.Column("marker", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("stages", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("profile", sa.JSON(), nullable=True))
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("checklist_stage", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("stage_since", bot.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("comments", sa.Integer(), nullable=True))
        batch.drop_constraint("uq_tickets_team_id_key", type_="unique")
        batch.create_unique_constraint("uq_tickets_team_id_tracker_key", ["team_id", "tracker", "key"])
    op.create_table(
        "ticket_key_sequences",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "prefix", name=op.f("pk_ticket_key_sequences")),
    )
    op.create_table(
        "ticket_stage_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=80), nullable=True),
        sa.Column("to_stage", sa.String(length=80), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", bot.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], ondelete="CASCADE", name=op.f("fk_ticket_stage_moves_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_stage_moves")),
    )
    op.create_index(op.f("ix_ticket_stage_moves_ticket_id"), "ticket_stage_moves", ["ticket_id"], unique=False)
    op.create_table(
        "ticket_account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=128), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_account_links")),
        sa.UniqueConstraint(
            "team_id", "tracker", "user_id", name=op.f("uq_ticket_account_links_team_id_tracker_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("ticket_account_links")
    op.drop_index(op.f("ix_ticket_stage_moves_ticket_id"), table_name="ticket_stage_moves")
    op.drop_table("ticket_stage_moves")
    op.drop_table("ticket_key_sequences")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("uq_tickets_team_id_tracker_key", type_="unique")
        batch.create_unique_constraint("uq_tickets_team_id_key", ["team_id", "key"])
        batch.drop_column("comments")
        batch.drop_column("stage_since")
        batch.drop_column("checklist_stage")
    with op.batch_alter_table("ticket_projects") as batch:
        batch.drop_column("profile")
        batch.drop_column("stages")
        batch.drop_column("marker")
