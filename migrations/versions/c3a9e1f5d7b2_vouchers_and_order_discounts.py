"""Vouchers: farm and platform vouchers, their products and redemptions; an order's discount
and the platform's share of it; the ledger's platform_discount kind

Revision ID: c3a9e1f5d7b2
Revises: c3a9d7e1f5b2
Create Date: 2026-11-30 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "c3a9e1f5d7b2"
down_revision = "c3a9d7e1f5b2"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('sale', 'commission', 'payout', 'refund')"
NEW_KINDS = "kind IN ('sale', 'commission', 'payout', 'refund', 'platform_discount')"
OLD_TOTAL = "total_vnd = subtotal_vnd + delivery_fee_vnd"
NEW_TOTAL = "total_vnd = subtotal_vnd + delivery_fee_vnd - discount_vnd AND total_vnd >= 0"


def upgrade():
    op.create_table(
        "voucher",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("max_discount_vnd", sa.Integer(), nullable=True),
        sa.Column("min_spend_vnd", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_uses", sa.Integer(), nullable=False),
        sa.Column("uses_per_buyer", sa.Integer(), nullable=False),
        sa.Column("first_order_only", sa.Boolean(), nullable=False),
        sa.Column("used_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('percent', 'fixed')", name=op.f("ck_voucher_known_kind")),
        sa.CheckConstraint(
            "(kind = 'percent' AND value BETWEEN 1 AND 100) OR (kind = 'fixed' AND value > 0)",
            name=op.f("ck_voucher_value_in_range"),
        ),
        sa.CheckConstraint(
            "max_discount_vnd IS NULL OR max_discount_vnd > 0", name=op.f("ck_voucher_cap_positive")
        ),
        sa.CheckConstraint("min_spend_vnd >= 0", name=op.f("ck_voucher_min_spend_not_negative")),
        sa.CheckConstraint(
            "total_uses > 0 AND uses_per_buyer > 0", name=op.f("ck_voucher_uses_positive")
        ),
        sa.CheckConstraint(
            "used_count >= 0 AND used_count <= total_uses", name=op.f("ck_voucher_used_in_range")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_voucher_ends_after_start")),
        sa.ForeignKeyConstraint(["farm_id"], ["farm.id"], name=op.f("fk_voucher_farm_id_farm")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_voucher_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher")),
    )
    with op.batch_alter_table("voucher") as batch_op:
        batch_op.create_index(batch_op.f("ix_voucher_code"), ["code"])
        batch_op.create_index(batch_op.f("ix_voucher_farm_id"), ["farm_id"])

    op.create_table(
        "voucher_product",
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["voucher.id"],
            name=op.f("fk_voucher_product_voucher_id_voucher"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_voucher_product_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("voucher_id", "product_id", name=op.f("pk_voucher_product")),
    )

    op.create_table(
        "voucher_redemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("checkout_id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("amount_vnd", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "amount_vnd >= 0", name=op.f("ck_voucher_redemption_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["voucher.id"], name=op.f("fk_voucher_redemption_voucher_id_voucher")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["farm_order.id"], name=op.f("fk_voucher_redemption_order_id_farm_order")
        ),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["checkout.id"],
            name=op.f("fk_voucher_redemption_checkout_id_checkout"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["user_account.id"],
            name=op.f("fk_voucher_redemption_buyer_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_redemption")),
        sa.UniqueConstraint("order_id", name=op.f("uq_voucher_redemption_order_id")),
    )
    with op.batch_alter_table("voucher_redemption") as batch_op:
        batch_op.create_index(batch_op.f("ix_voucher_redemption_voucher_id"), ["voucher_id"])
        batch_op.create_index(batch_op.f("ix_voucher_redemption_checkout_id"), ["checkout_id"])
        batch_op.create_index(batch_op.f("ix_voucher_redemption_buyer_id"), ["buyer_id"])

    with op.batch_alter_table("farm_order") as batch_op:
        batch_op.add_column(
            sa.Column("discount_vnd", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("platform_discount_vnd", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_constraint(op.f("ck_farm_order_total_adds_up"), type_="check")
        batch_op.create_check_constraint(op.f("ck_farm_order_total_adds_up"), NEW_TOTAL)
        batch_op.create_check_constraint(
            op.f("ck_farm_order_discounts"),
            "platform_discount_vnd >= 0 AND platform_discount_vnd <= discount_vnd",
        )
    with op.batch_alter_table("ledger_entry") as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_entry_known_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_ledger_entry_known_kind"), NEW_KINDS)


def downgrade():
    with op.batch_alter_table("ledger_entry") as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_entry_known_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_ledger_entry_known_kind"), OLD_KINDS)
    with op.batch_alter_table("farm_order") as batch_op:
        batch_op.drop_constraint(op.f("ck_farm_order_discounts"), type_="check")
        batch_op.drop_constraint(op.f("ck_farm_order_total_adds_up"), type_="check")
        batch_op.create_check_constraint(op.f("ck_farm_order_total_adds_up"), OLD_TOTAL)
        batch_op.drop_column("platform_discount_vnd")
        batch_op.drop_column("discount_vnd")
    op.drop_table("voucher_redemption")
    op.drop_table("voucher_product")
    op.drop_table("voucher")
