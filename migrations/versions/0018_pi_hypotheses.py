"""PI: measured hypotheses, the MLflow metric catalog, committed plan snapshots and edits, ticket projects (#23)

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

UTC = bot.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pi_hypotheses",
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.String(64), nullable=False),
        sa.Column("model", sa.String(256), nullable=True),
        sa.Column("alias", sa.String(64), nullable=True),
        sa.Column("deadline_iteration", sa.Integer(), nullable=True),
        sa.Column("kill_threshold", sa.Float(), nullable=True),
        sa.Column("kill_iteration", sa.Integer(), nullable=True),
        sa.Column("latest_value", sa.Float(), nullable=True),
        sa.Column("latest_run", sa.String(256), nullable=True),
        sa.Column("best_value", sa.Float(), nullable=True),
        sa.Column("best_run_id", sa.String(64), nullable=True),
        sa.Column("best_run", sa.String(256), nullable=True),
        sa.Column("champion_value", sa.Float(), nullable=True),
        sa.Column("champion_version", sa.String(32), nullable=True),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("checked_at", UTC, nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("met_run_id", sa.String(64), nullable=True),
        sa.Column("met_run", sa.String(256), nullable=True),
        sa.Column("met_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["pi_objectives.id"],
            name=op.f("fk_pi_hypotheses_objective_id_pi_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("objective_id", name=op.f("pk_pi_hypotheses")),
    )
    op.create_table(
        "pi_metric_catalog",
        sa.Column("experiment_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("refreshed_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("experiment_id", name=op.f("pk_pi_metric_catalog")),
    )
    op.create_table(
        "pi_plan_snapshots",
        sa.Column("pi_id", sa.Integer(), nullable=False),
        sa.Column("committed_by", sa.String(32), nullable=False),
        sa.Column("committed_at", UTC, nullable=False),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["pi_id"], ["pis.id"], name=op.f("fk_pi_plan_snapshots_pi_id_pis"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pi_id", name=op.f("pk_pi_plan_snapshots")),
    )
    op.create_table(
        "pi_objective_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pi_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pi_id"], ["pis.id"], name=op.f("fk_pi_objective_edits_pi_id_pis"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["pi_objectives.id"],
            name=op.f("fk_pi_objective_edits_objective_id_pi_objectives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pi_objective_edits")),
    )
    op.create_index("ix_pi_objective_edits_pi_id", "pi_objective_edits", ["pi_id"])
    op.create_table(
        "pi_objective_projects",
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("stage", sa.String(80), nullable=True),
        sa.Column("stage_number", sa.Integer(), nullable=True),
        sa.Column("stages", sa.Integer(), nullable=True),
        sa.Column("checked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["pi_objectives.id"],
            name=op.f("fk_pi_objective_projects_objective_id_pi_objectives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["ticket_projects.id"],
            name=op.f("fk_pi_objective_projects_project_id_ticket_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("objective_id", name=op.f("pk_pi_objective_projects")),
    )


def downgrade() -> None:
    op.drop_table("pi_objective_projects")
    op.drop_index("ix_pi_objective_edits_pi_id", table_name="pi_objective_edits")
    op.drop_table("pi_objective_edits")
    op.drop_table("pi_plan_snapshots")
    op.drop_table("pi_metric_catalog")
    op.drop_table("pi_hypotheses")
