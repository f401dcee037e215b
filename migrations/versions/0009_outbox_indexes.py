"""outbox: index the thread and edit references (the sender looks rows up by them on every edit)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_index("ix_outbox_thread_of_id", ["thread_of_id"], unique=False)
        batch_op.create_index("ix_outbox_update_of_id", ["update_of_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_update_of_id")
        batch_op.drop_index("ix_outbox_thread_of_id")
