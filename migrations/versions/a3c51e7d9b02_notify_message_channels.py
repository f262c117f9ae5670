"""accounts: the channels each person chose for messages (e-mail, Zalo, SMS)

NULL until the person chooses: the defaults then follow their addresses (e-mail when there is
one, Zalo when there is a phone), so existing accounts need no rows moved.

Revision ID: a3c51e7d9b02
Revises: a3e1c7d90b12
Create Date: 2026-11-29 21:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c51e7d9b02'
down_revision = 'a3e1c7d90b12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_channels', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('message_channels')
