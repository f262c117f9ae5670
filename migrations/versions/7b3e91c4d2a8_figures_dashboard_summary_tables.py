"""figures: the dashboard's summary tables (daily figures per farm province and commune)
and the row that says when they were last rebuilt

Revision ID: 7b3e91c4d2a8
Revises: 5e7a1c0d9b42
Create Date: 2026-11-30 00:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b3e91c4d2a8"
down_revision = "5e7a1c0d9b42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_daily_figure",
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("commune", sa.String(length=120), nullable=False),
        sa.Column("dimension", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "metric",
            "province_code",
            "day",
            "commune",
            "dimension",
            name=op.f("pk_dashboard_daily_figure"),
        ),
    )
    with op.batch_alter_table("dashboard_daily_figure", schema=None) as batch_op:
        batch_op.create_index("ix_dashboard_daily_figure_metric_day", ["metric", "day"])

    refresh = op.create_table(
        "dashboard_refresh",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_refresh")),
    )
    # The one row refreshes lock: it exists before any worker needs it, so none races to
    # create it.
    op.bulk_insert(refresh, [{"id": 1, "refreshed_at": None, "row_count": 0}])


def downgrade():
    op.drop_table("dashboard_refresh")
    with op.batch_alter_table("dashboard_daily_figure", schema=None) as batch_op:
        batch_op.drop_index("ix_dashboard_daily_figure_metric_day")
    op.drop_table("dashboard_daily_figure")
