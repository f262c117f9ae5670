"""payments: a bank credit keeps the account it was credited to, and a 64-bit amount

Revision ID: f08c5016128a
Revises: 7c3e9a41d2b5
Create Date: 2026-11-29 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f08c5016128a'
down_revision = '7c3e9a41d2b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_credit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_number', sa.String(length=34), nullable=True))
        batch_op.alter_column(
            'amount_vnd', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table('bank_credit', schema=None) as batch_op:
        batch_op.alter_column(
            'amount_vnd', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False
        )
        batch_op.drop_column('account_number')
