"""monthly: the row that says a scope's operators were mailed a month's report (once per
province, or the whole country, and month)

Revision ID: 9c4d2e7f1a35
Revises: 7b3e91c4d2a8
Create Date: 2026-11-30 01:25:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c4d2e7f1a35"
down_revision = "7b3e91c4d2a8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_monthly_report_mailing",
        sa.Column("scope", sa.String(length=2), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "month", name=op.f("pk_dashboard_monthly_report_mailing")),
    )


def downgrade():
    op.drop_table("dashboard_monthly_report_mailing")
