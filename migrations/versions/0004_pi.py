"""pi tables

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC = bot.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("checkin_weekday", sa.Integer(), nullable=False),
        sa.Column("checkin_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pis")),
    )
    op.create_index("ix_pis_team_id_channel_id", "pis", ["team_id", "channel_id"], unique=False)
    op.create_table(
        "pi_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pi_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("planned_bv", sa.Integer(), nullable=False),
        sa.Column("committed", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("link", sa.String(500), nullable=True),
        sa.Column("metric", sa.String(120), nullable=True),
        sa.Column("comparator", sa.String(2), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("experiment", sa.String(200), nullable=True),
        sa.Column("kill_criterion", sa.String(500), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("dropped", sa.Boolean(), nullable=False),
        sa.Column("actual_bv", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["pi_id"], ["pis.id"], name=op.f("fk_pi_objectives_pi_id_pis")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pi_objectives")),
    )
    op.create_index(op.f("ix_pi_objectives_pi_id"), "pi_objectives", ["pi_id"], unique=False)
    op.create_table(
        "pi_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pi_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["pi_id"], ["pis.id"], name=op.f("fk_pi_checkins_pi_id_pis")),
        sa.ForeignKeyConstraint(
            ["objective_id"], ["pi_objectives.id"], name=op.f("fk_pi_checkins_objective_id_pi_objectives")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pi_checkins")),
        sa.UniqueConstraint("objective_id", "week", name=op.f("uq_pi_checkins_objective_id_week")),
    )
    op.create_index(op.f("ix_pi_checkins_pi_id"), "pi_checkins", ["pi_id"], unique=False)
    op.create_table(
        "pi_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pi_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.String(32), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["pi_id"], ["pis.id"], name=op.f("fk_pi_votes_pi_id_pis")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pi_votes")),
    )
    op.create_index(op.f("ix_pi_votes_pi_id"), "pi_votes", ["pi_id"], unique=False)
    op.create_table(
        "pi_ballots",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["vote_id"], ["pi_votes.id"], name=op.f("fk_pi_ballots_vote_id_pi_votes")),
        sa.PrimaryKeyConstraint("vote_id", "user_id", name=op.f("pk_pi_ballots")),
    )
    op.create_table(
        "pi_risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pi_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("roam", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["pi_id"], ["pis.id"], name=op.f("fk_pi_risks_pi_id_pis")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pi_risks")),
    )
    op.create_index(op.f("ix_pi_risks_pi_id"), "pi_risks", ["pi_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pi_risks_pi_id"), table_name="pi_risks")
    op.drop_table("pi_risks")
    op.drop_table("pi_ballots")
    op.drop_index(op.f("ix_pi_votes_pi_id"), table_name="pi_votes")
    op.drop_table("pi_votes")
    op.drop_index(op.f("ix_pi_checkins_pi_id"), table_name="pi_checkins")
    op.drop_table("pi_checkins")
    op.drop_index(op.f("ix_pi_objectives_pi_id"), table_name="pi_objectives")
    op.drop_table("pi_objectives")
    op.drop_index("ix_pis_team_id_channel_id", table_name="pis")
    op.drop_table("pis")
