"""opscope: an operator's scope (the whole country or one province) and its history

Existing operators keep seeing everything: the new column is NULL, the whole country.

Revision ID: 5e7a0c3d9f21
Revises: 392fafc21d09
Create Date: 2026-11-30 00:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e7a0c3d9f21"
down_revision = "392fafc21d09"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operator_province_code", sa.String(length=2), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_user_account_scope_of_operators"),
            "operator_province_code IS NULL OR role = 'operator'",
        )

    op.create_table(
        "operator_scope_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_operator_scope_change_changed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["user_account.id"],
            name=op.f("fk_operator_scope_change_operator_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_scope_change")),
    )
    with op.batch_alter_table("operator_scope_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_scope_change_operator_id"), ["operator_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("operator_scope_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_scope_change_operator_id"))

    op.drop_table("operator_scope_change")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_scope_of_operators"), type_="check")
        batch_op.drop_column("operator_province_code")
