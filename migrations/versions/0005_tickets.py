"""tickets tables

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.Column("external_ref", sa.String(length=64), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_projects")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_ticket_projects_team_id_name")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("tracker", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("stage", sa.String(length=80), nullable=False),
        sa.Column("summary", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("assignee", sa.String(length=32), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(), nullable=False),
        sa.Column("closed_at", bot.db.UTCDateTime(), nullable=True),
        sa.Column("origin_channel", sa.String(length=32), nullable=True),
        sa.Column("origin_ts", sa.String(length=32), nullable=True),
        sa.Column("draft_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["ticket_projects.id"],
            ondelete="SET NULL",
            name=op.f("fk_tickets_project_id_ticket_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_tickets_team_id_key")),
    )
    op.create_index("ix_tickets_team_id_status", "tickets", ["team_id", "status"], unique=False)
    op.create_index(op.f("ix_tickets_project_id"), "tickets", ["project_id"], unique=False)
    op.create_index(op.f("ix_tickets_assignee"), "tickets", ["assignee"], unique=False)
    op.create_table(
        "ticket_drafts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            ondelete="SET NULL",
            name=op.f("fk_ticket_drafts_ticket_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_drafts")),
    )
    op.create_table(
        "ticket_channel_defaults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["ticket_projects.id"],
            ondelete="CASCADE",
            name=op.f("fk_ticket_channel_defaults_project_id_ticket_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_channel_defaults")),
        sa.UniqueConstraint("team_id", "channel_id", name=op.f("uq_ticket_channel_defaults_team_id_channel_id")),
    )


def downgrade() -> None:
    op.drop_table("ticket_channel_defaults")
    op.drop_table("ticket_drafts")
    op.drop_index(op.f("ix_tickets_assignee"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_project_id"), table_name="tickets")
    op.drop_index("ix_tickets_team_id_status", table_name="tickets")
    op.drop_table("tickets")
    op.drop_table("ticket_projects")
