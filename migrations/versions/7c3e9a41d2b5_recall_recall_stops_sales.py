"""a recall stops the sale of a product and holds the orders packed from the batch

Revision ID: 7c3e9a41d2b5
Revises: f7cd51288574
Create Date: 2026-11-29 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a41d2b5'
down_revision = 'f7cd51288574'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sale_stopped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recalled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recalled_batch_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('recall_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('farm_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recall_hold', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('farm_order', schema=None) as batch_op:
        batch_op.drop_column('recall_hold')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('recall_reason')
        batch_op.drop_column('recalled_batch_code')
        batch_op.drop_column('recalled_at')
        batch_op.drop_column('sale_stopped_at')
