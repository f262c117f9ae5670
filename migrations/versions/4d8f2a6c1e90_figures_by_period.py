"""figures by period: the daily figures summed by month, quarter and year, per commune,
province and the whole country; days to a first sale stored as a count of farms per number
of days, first orders as a count of farms; when the last whole rebuild began

Revision ID: 4d8f2a6c1e90
Revises: 9c4d2e7f1a35
Create Date: 2026-11-30 03:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4d8f2a6c1e90"
down_revision = "9c4d2e7f1a35"
branch_labels = None
depends_on = None


def _forget_the_figures():
    # The summary is derived data, and its first_sale_days rows change meaning: empty it and
    # say it was never refreshed; the next refresh (every ten minutes) rebuilds both tables.
    op.execute("DELETE FROM dashboard_daily_figure")
    op.execute("UPDATE dashboard_refresh SET refreshed_at = NULL, row_count = 0")


def upgrade():
    op.create_table(
        "dashboard_period_figure",
        sa.Column("grain", sa.String(length=7), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("commune", sa.String(length=120), nullable=False),
        sa.Column("dimension", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "grain",
            "level",
            "metric",
            "first_day",
            "province_code",
            "commune",
            "dimension",
            name=op.f("pk_dashboard_period_figure"),
        ),
    )
    with op.batch_alter_table("dashboard_refresh", schema=None) as batch_op:
        batch_op.add_column(sa.Column("whole_refreshed_at", sa.DateTime(timezone=True)))
    _forget_the_figures()


def downgrade():
    with op.batch_alter_table("dashboard_refresh", schema=None) as batch_op:
        batch_op.drop_column("whole_refreshed_at")
    op.drop_table("dashboard_period_figure")
    _forget_the_figures()
