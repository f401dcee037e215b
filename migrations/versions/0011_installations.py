"""installations: uninstalled workspaces, seen request signatures, token columns wide enough to encrypt

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TOKEN_COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


def upgrade() -> None:
    op.create_table(
        "uninstalled_workspaces",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_uninstalled_workspaces")),
    )
    op.create_table(
        "seen_signatures",
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("request_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_seen_signatures")),
    )
    with op.batch_alter_table("seen_signatures") as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_signatures_request_ts"), ["request_ts"], unique=False)
    for table, columns in TOKEN_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(length=200), type_=sa.String(length=1000))


def downgrade() -> None:
    # Encrypted tokens do not fit the old width: downgrading needs the installations re-done.
    for table, columns in TOKEN_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.String(length=1000), type_=sa.String(length=200))
    with op.batch_alter_table("seen_signatures") as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_signatures_request_ts"))
    op.drop_table("seen_signatures")
    op.drop_table("uninstalled_workspaces")
