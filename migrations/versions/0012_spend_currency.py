"""spend: currency in every key (daily costs, alerts sent), Cost Explorer's estimated flag

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DAY_KEY = ["source", "day", "team", "service", "gpu"]
ALERT_KEY = ["team_id", "channel_id", "team", "month", "threshold"]


def upgrade() -> None:
    with op.batch_alter_table("spend_days") as batch_op:
        batch_op.add_column(sa.Column("estimated", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint("uq_spend_days_source_day_team_service_gpu", type_="unique")
        batch_op.create_unique_constraint("uq_spend_days_source_day_team_service_gpu_currency", [*DAY_KEY, "currency"])
    with op.batch_alter_table("spend_alerts") as batch_op:
        # '' = recorded before alerts knew their currency; they still stop a repeat in any currency
        batch_op.add_column(sa.Column("currency", sa.String(8), server_default="", nullable=False))
        batch_op.drop_constraint("uq_spend_alerts_team_id_channel_id_team_month_threshold", type_="unique")
        batch_op.create_unique_constraint("uq_spend_alerts_announced", [*ALERT_KEY[:4], "currency", "threshold"])


def downgrade() -> None:
    # rows that differ only by currency cannot share the old key: keep the first of each
    with op.batch_alter_table("spend_alerts") as batch_op:
        batch_op.drop_constraint("uq_spend_alerts_announced", type_="unique")
    op.execute(
        "DELETE FROM spend_alerts WHERE id NOT IN (SELECT MIN(id) FROM spend_alerts GROUP BY "
        + ", ".join(ALERT_KEY)
        + ")"
    )
    with op.batch_alter_table("spend_alerts") as batch_op:
        batch_op.drop_column("currency")
        batch_op.create_unique_constraint("uq_spend_alerts_team_id_channel_id_team_month_threshold", ALERT_KEY)
    with op.batch_alter_table("spend_days") as batch_op:
        batch_op.drop_constraint("uq_spend_days_source_day_team_service_gpu_currency", type_="unique")
    op.execute(
        "DELETE FROM spend_days WHERE id NOT IN (SELECT MIN(id) FROM spend_days GROUP BY " + ", ".join(DAY_KEY) + ")"
    )
    with op.batch_alter_table("spend_days") as batch_op:
        batch_op.drop_column("estimated")
        batch_op.create_unique_constraint("uq_spend_days_source_day_team_service_gpu", DAY_KEY)
