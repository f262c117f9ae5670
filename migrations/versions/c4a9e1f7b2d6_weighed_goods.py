"""Weighed goods: variants sold by weight, estimated and actual weights on order lines, the
order's weight adjustment and the farm's underpayment limit

Revision ID: c4a9e1f7b2d6
Revises: c3a9e1f5d7b2
Create Date: 2026-11-30 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "c4a9e1f7b2d6"
down_revision = "c3a9e1f5d7b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("variant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sold_by_weight", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("price_per_kg_vnd", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_variant_weighed_has_price_per_kg"),
            "NOT sold_by_weight OR price_per_kg_vnd > 0",
        )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sold_by_weight", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("price_per_kg_vnd", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("estimated_grams", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actual_grams", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_order_line_actual_grams_positive"), "actual_grams IS NULL OR actual_grams > 0"
        )
    with op.batch_alter_table("farm_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weight_adjustment_vnd", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weight_absorbed_vnd", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weight_refunded_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_farm_order_weight_absorbed_not_negative"), "weight_absorbed_vnd >= 0"
        )
    with op.batch_alter_table("delivery_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "underpayment_absorb_limit_vnd", sa.Integer(), server_default="0", nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("delivery_settings", schema=None) as batch_op:
        batch_op.drop_column("underpayment_absorb_limit_vnd")
    with op.batch_alter_table("farm_order", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_farm_order_weight_absorbed_not_negative"), type_="check")
        batch_op.drop_column("weight_refunded_at")
        batch_op.drop_column("weight_absorbed_vnd")
        batch_op.drop_column("weight_adjustment_vnd")
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_order_line_actual_grams_positive"), type_="check")
        batch_op.drop_column("actual_grams")
        batch_op.drop_column("estimated_grams")
        batch_op.drop_column("price_per_kg_vnd")
        batch_op.drop_column("sold_by_weight")
    with op.batch_alter_table("variant", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_variant_weighed_has_price_per_kg"), type_="check")
        batch_op.drop_column("price_per_kg_vnd")
        batch_op.drop_column("sold_by_weight")
